#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/vmware_inventory.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: vmware_inventory
short_description: Discover VMware VMs and write the migration metadata files
version_added: 1.0.0
description:
  - Reads vCenter (or ESXi) through its SOAP API with the collection's own client, so no Python VMware SDK or collection is needed.
  - "For each VM of vms_list writes what the export_metadata role needs under `<os_migrate_vmw_data_dir>/<vm>/`: guest_info.json (the guest facts: hw_folder, hw_processor_count, hw_memtotal_mb, hw_ethN, moid, …), disk_info.json (disks with capacities in bytes, disk_keys), and nics.json + network_info.json (used_mapped_networks) or macs.json."
  - "With whole_inventory, also writes `<os_migrate_vmw_data_dir>/vmware_inventory.json` and a readable vmware_inventory.txt: every VM with disks, NICs, networks, datastore use, power state, guest OS and CBT state, and per network and datastore the VMs that use it."
  - A VM of vms_list that does not exist fails with the closest existing names. Files are only rewritten when their content changes; check mode reads vCenter and reports what would change without writing.
author:
  - vmware-migration-kit TypeScript contributors
options:
  network_map:
    description:
      - VMware network -> OpenStack network, as "<network>" or "<network>,<subnet uuid>". Keys are distributed port-group keys (dvportgroup-…) or, for standard networks, the NIC summary (the network name).
    type: dict
    default: {}
  os_migrate_vmw_data_dir:
    description:
      - Directory where the files are written (one sub-directory per VM).
    type: str
    required: true
  subnet_uuid:
    description:
      - Subnet written in macs.json for every NIC when networks are not mapped.
    type: str
    default: ""
    aliases:
      - export_metadata_subnet_uuid
  used_mapped_networks:
    description:
      - Map NICs to OpenStack networks with network_map (writes nics.json and network_info.json) instead of macs.json.
    type: bool
    default: false
  vcenter_ca_file:
    description:
      - PEM file of a CA (or of the self-signed vCenter certificate) to trust.
    type: str
    aliases:
      - vmware_ca_file
  vcenter_hostname:
    description:
      - vCenter or ESXi address, `host` or `host:port` (port 443 by default).
    type: str
    required: true
    aliases:
      - hostname
  vcenter_password:
    description:
      - Password of vcenter_username.
    type: str
    required: true
    aliases:
      - password
    no_log: true
  vcenter_thumbprint:
    description:
      - SHA-1 thumbprint of the vCenter certificate (`AB:CD:…`). When set, only a certificate with this thumbprint is accepted (instead of CA verification), and a mismatch stops before any credential is sent.
    type: str
    aliases:
      - thumbprint
      - vmware_thumbprint
  vcenter_username:
    description:
      - vCenter user name, e.g. administrator@vsphere.local.
    type: str
    required: true
    aliases:
      - username
  vms_list:
    description:
      - Names (or inventory paths like /DC0/vm/folder/name) of the VMs to export.
    type: list
    default: []
    aliases:
      - vm_names
      - names
    elements: str
  vmware_insecure:
    description:
      - Skip TLS certificate verification of vCenter. Prefer vcenter_thumbprint or vcenter_ca_file.
    type: bool
    default: false
  whole_inventory:
    description:
      - Also write the whole-inventory JSON and summary.
    type: bool
    default: false
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
notes:
  - A JavaScript file built from TypeScript, run by the Node.js runtime the collection installs on the target once (plugins/action/node_module.py); it needs no Python on the target.
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Export the metadata of two VMs
  os_migrate.vmware_migration_kit.vmware_inventory:
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
    vmware_insecure: "{{ vmware_insecure | default(false) }}"
    vms_list: [rhel-9, win-2019]
    os_migrate_vmw_data_dir: /opt/os-migrate
    used_mapped_networks: true
    network_map:
      dvportgroup-13: private
      VM Network: public,6a3c2f4e-2f5d-4b8e-9c1e-7d1f0c9b8a11

- name: Write the whole-inventory view (vmware_inventory.json and vmware_inventory.txt)
  os_migrate.vmware_migration_kit.vmware_inventory:
    vcenter_hostname: vcenter.example.com
    vcenter_username: administrator@vsphere.local
    vcenter_password: "{{ vcenter_password }}"
    vcenter_thumbprint: "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"
    os_migrate_vmw_data_dir: /opt/os-migrate
    whole_inventory: true
'''

RETURN = r'''
files:
  description: "Files written (check mode: that would be written) because their content changed."
  returned: always
  type: list
  elements: str
vms:
  description: "The exported VMs: name, moid, inventory path, number of disks and NICs, and their metadata directory."
  returned: always
  type: list
  elements: dict
  sample:
    - name: osm-single
      moid: vm-57
      path: /DC0/vm/osm-tests/osm-single
      disks: 1
      nics: 1
      dir: /opt/os-migrate/osm-single
inventory_file:
  description: Path of vmware_inventory.json.
  returned: whole_inventory
  type: str
summary_file:
  description: Path of vmware_inventory.txt.
  returned: whole_inventory
  type: str
totals:
  description: "Counts over the whole inventory: vms, powered_on, disks, disk_bytes, nics, cbt_enabled."
  returned: whole_inventory
  type: dict
'''
