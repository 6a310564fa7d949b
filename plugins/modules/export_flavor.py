#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/export_flavor.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: export_flavor
short_description: Write an os-migrate flavors.yml describing a VMware VM
version_added: 1.0.0
description:
  - Writes the flavor a VM needs (vCPUs, RAM, total disk) as an os-migrate flavors.yml resource, for create_flavor (import_flavor).
  - The disk size is the sum of the VM disks (bytes) rounded up to whole GB (upstream truncated it). The file is rewritten only when its content changes; check mode writes nothing.
author:
  - vmware-migration-kit TypeScript contributors
options:
  disk_info_path:
    description:
      - Path of disk_info.json.
    type: str
    required: true
  flavor_name:
    description:
      - Flavor name; default osm-vmware-<vm_name>-<N> (needs vm_name).
    type: str
    aliases:
      - name
  guest_info_path:
    description:
      - Path of guest_info.json.
    type: str
    required: true
  path:
    description:
      - Where to write flavors.yml.
    type: str
    required: true
  vm_name:
    description:
      - VMware VM name, for the default flavor name.
    type: str
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
notes:
  - A JavaScript file built from TypeScript, run by the Node.js runtime the collection installs on the target once (plugins/action/node_module.py); it needs no Python on the target.
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Export the flavor of the VM
  os_migrate.vmware_migration_kit.export_flavor:
    path: "{{ os_migrate_vmw_data_dir }}/{{ vm_name }}/flavors.yml"
    guest_info_path: "{{ os_migrate_vmw_data_dir }}/{{ vm_name }}/guest_info.json"
    disk_info_path: "{{ os_migrate_vmw_data_dir }}/{{ vm_name }}/disk_info.json"
    flavor_name: "{{ flavor_name_or_uuid }}"
'''

RETURN = r'''
path:
  description: The file written.
  returned: success
  type: str
flavor_name:
  description: The flavor name in the file.
  returned: success
  type: str
'''
