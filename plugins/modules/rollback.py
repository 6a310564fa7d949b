#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/rollback.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: rollback
short_description: "Undo the migration of one VM: delete its server and ports, keep its volumes, put the source back in service"
version_added: 1.0.0
description:
  - Delete-only; reads and copies no disk. Deletes the tool's Heat stack os-migrate-<SafeVmName> and the tool's server of the VM (metadata osm=true), then the tool's ports of the VM (description osm=true vm=<vm_name> nic=<i>). The VM's volumes (<SafeVmName>-<disk key>, metadata osm=true) are detached and kept, still marked, so a later migration reuses them; rollback_delete_volumes deletes them.
  - "On the source (with vcenter_hostname): removes the tool's snapshots (osm-snap, 'OS Migrate snapshot.'), and powers the VM on when the tool powered it off (volume metadata osm_source_powered_off=true, removed once it is on). CBT enabled by the tool (osm_cbt_enabled=true) is left enabled, and reported."
  - Without vcenter_hostname only OpenStack objects are handled; the source steps are skipped with a note in actions, and rollback_delete_volumes is refused when the volumes record that the tool powered the source off (that record would be lost).
  - Only objects carrying the tool marker in the current project are touched, never by name alone (docs/ownership.md). A second run reports changed false; check mode reports each action and changes nothing.
author:
  - vmware-migration-kit TypeScript contributors
options:
  dst_cloud:
    description:
      - "The destination cloud. Either a dict like a clouds.yaml entry (upstream's form: auth.auth_url, auth.username, auth.password, auth.project_name, auth.user_domain_name, region_name, interface, openstack_insecure, cacert, <service>_endpoint_override, or application credentials / a token with auth_type), or the name of a cloud in clouds.yaml (searched in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with secure.yaml merged). When omitted, OS_CLOUD or the OS_* environment variables are used."
    type: raw
    aliases:
      - cloud
  rollback_delete_volumes:
    description:
      - Delete the VM's volumes instead of keeping them.
    type: bool
    default: false
  timeout:
    description:
      - Seconds to wait for each deletion or detachment.
    type: int
    default: 600
  vcenter_ca_file:
    description:
      - PEM file of a CA (or of the self-signed vCenter certificate) to trust.
    type: str
    aliases:
      - vmware_ca_file
  vcenter_hostname:
    description:
      - vCenter or ESXi address; without it the source steps (power-on, snapshots) are skipped.
    type: str
    aliases:
      - hostname
  vcenter_password:
    description:
      - Password of vcenter_username.
    type: str
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
    aliases:
      - username
  vm_name:
    description:
      - The VMware VM whose migration is rolled back.
    type: str
    required: true
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
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Roll back rhel-1
  os_migrate.vmware_migration_kit.rollback:
    vm_name: rhel-1
    dst_cloud: "{{ dst_cloud }}"
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
'''

RETURN = r'''
vm_name:
  description: The VM.
  returned: always
  type: str
  sample: rhel-1
actions:
  description: "What was done (check mode: would be done), one entry per object: kind (stack, server, port, volume, image, source, snapshot, cbt), id, name, changed, msg."
  returned: always
  type: list
  elements: dict
'''
