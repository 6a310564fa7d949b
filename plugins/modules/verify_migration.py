#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/verify_migration.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: verify_migration
short_description: Check that a VM was migrated completely and correctly
version_added: 1.0.0
description:
  - "Reads the source VM, the tool's volumes, server and ports (read-only) and runs checks, each with id, expected, observed, passed and a message: the server exists and is ACTIVE; its flavor has at least the source's vCPUs and RAM; each disk's volume is attached in VMware disk order (disk 0 the boot device) and to nothing else; volumes marked converted; each NIC has a port with its VMware MAC on the mapped network (and its fixed IPs with use_fixed_ips) with the security groups asked for; no tool snapshot left on the source; the source's power state."
  - With verify_checksums each volume is read and its SHA-256 compared with the one the migration recorded; with verify_console_pattern and verify_tcp_ports, guest-level evidence.
  - A check that could not run has passed null and says why; it never counts as passed. A failed check fails the module, with the failed checks in the message. The verify playbook writes every VM's result to <os_migrate_vmw_data_dir>/verification.json.
author:
  - vmware-migration-kit TypeScript contributors
options:
  cbt_sync:
    description:
      - The migration was a CBT sync; without cutover it was a pre-sync (no server, ports or converted volumes expected yet).
    type: bool
    default: false
  cloud:
    description:
      - "The destination cloud. Either a dict like a clouds.yaml entry (upstream's form: auth.auth_url, auth.username, auth.password, auth.project_name, auth.user_domain_name, region_name, interface, openstack_insecure, cacert, <service>_endpoint_override, or application credentials / a token with auth_type), or the name of a cloud in clouds.yaml (searched in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with secure.yaml merged). When omitted, OS_CLOUD or the OS_* environment variables are used."
    type: raw
    aliases:
      - dst_cloud
  create_ports:
    description:
      - The migration made the ports (import_workloads create_ports); false skips the port checks.
    type: bool
    default: true
  create_server:
    description:
      - The migration made the server (import_workloads create_server); false skips the server, flavor, attachment and guest checks.
    type: bool
    default: true
  cutover:
    description:
      - "With cbt_sync: the migration was the cutover."
    type: bool
    default: false
  disk_by_id_dir:
    description:
      - Directory of by-id device links on this machine.
    type: str
    default: /dev/disk/by-id
  network_name:
    description:
      - Network (name or ID) of every port when used_mapped_networks is false.
    type: str
  os_migrate_vmw_data_dir:
    description:
      - Working directory of the migration, holding <vm_name>/import_workloads.json and nics.json or macs.json.
    type: str
    required: true
  security_groups:
    description:
      - Security groups every port must have (names or IDs), as in the migration.
    type: list
    default:
      - default
    elements: str
  skip_conversion:
    description:
      - The migration ran without conversion.
    type: bool
    default: false
  use_fixed_ips:
    description:
      - Each port must hold its NIC's IPv4 addresses (the migration's use_fixed_ips).
    type: bool
    default: false
  used_mapped_networks:
    description:
      - The ports were made on the networks of nics.json (true) or all on network_name (macs.json), as in the migration.
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
  verify_checksums:
    description:
      - "Read each volume and compare its SHA-256 with the one the migration recorded (migrate with verify_disks: true). A volume whose bytes are not readable here is reported as not checked."
    type: bool
    default: false
  verify_console_pattern:
    description:
      - Regular expression the server's console log (Nova os-getConsoleOutput) must match, e.g. 'login:'.
    type: str
  verify_console_patterns:
    description:
      - Per VM name, the console pattern of that VM, in place of verify_console_pattern.
    type: dict
    default: {}
  verify_guest_timeout:
    description:
      - Seconds to wait for the console pattern and each TCP port.
    type: int
    default: 300
  verify_source_power_state:
    description:
      - "Power state the source must be in. Default: poweredOff after a cutover or a final migration with conversion, else untouched (running passes; off is reported as not checked, since the state before the run is not recorded)."
    type: str
    choices:
      - poweredOn
      - poweredOff
      - untouched
  verify_tcp_ports:
    description:
      - TCP ports that must accept a connection on the first NIC's fixed IP.
    type: list
    default: []
    elements: int
  verify_volume_dir:
    description:
      - Directory where the volume backend keeps each volume as a file volume-<id> (e.g. the Cinder NFS share mounted here); else a volume is read through its by-id link when it is attached to this machine.
    type: str
  vm_name:
    description:
      - The migrated VMware VM. Exactly one of vm_name and vms_list.
    type: str
  vms_list:
    description:
      - "Several migrated VMs, verified at the same time (at most 4 at once): the result has verifications, one per VM in this order, instead of verification, and the module fails when one VM fails. Exactly one of vm_name and vms_list."
    type: list
    elements: str
  vmware_insecure:
    description:
      - Skip TLS certificate verification of vCenter. Prefer vcenter_thumbprint or vcenter_ca_file.
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
  - Changes nothing, so check mode runs the same checks; changed is always false.
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Verify rhel-1 after its migration, with the volumes' bytes
  os_migrate.vmware_migration_kit.verify_migration:
    cloud: "{{ dst_cloud }}"
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
    vm_name: rhel-1
    os_migrate_vmw_data_dir: /opt/os-migrate
    network_name: private
    security_groups: [default]
    verify_checksums: true
    verify_volume_dir: /var/lib/cinder/mnt/nfs-share
    verify_console_pattern: "login:"
  register: verification
'''

RETURN = r'''
passed:
  description: No check failed.
  returned: always
  type: bool
verification:
  description: "vm, passed, duration_seconds and checks: a list of {id, expected, observed, passed (true, false, or null when it could not run), message}."
  returned: with vm_name, when the VM could be read
  type: dict
verifications:
  description: One verification per VM of vms_list, in its order; a VM that could not be read has passed false, no checks, and error (why).
  returned: with vms_list
  type: list
  elements: dict
'''
