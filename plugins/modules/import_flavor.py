#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/import_flavor.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: import_flavor
short_description: Create the Nova flavor for a migrated VM (idempotent)
version_added: 1.0.0
description:
  - Creates flavors from an os-migrate flavors.yml (upstream's import_flavor; every resource in the file, not only the first) or from explicit sizes.
  - Without a name, the flavor is named osm-vmware-<vm_name>-<N> with N derived from the VM name and the sizes, so a rerun finds the same flavor.
  - A flavor with the same name and sizes is reused (changed false); one with the same name and other sizes is an error and is never modified. Created flavors carry the tool marker in their description (osm=true ...).
  - Also available under the upstream name import_flavor.
author:
  - vmware-migration-kit TypeScript contributors
options:
  cloud:
    description:
      - "The destination cloud. Either a dict like a clouds.yaml entry (upstream's form: auth.auth_url, auth.username, auth.password, auth.project_name, auth.user_domain_name, region_name, interface, openstack_insecure, cacert, <service>_endpoint_override, or application credentials / a token with auth_type), or the name of a cloud in clouds.yaml (searched in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with secure.yaml merged). When omitted, OS_CLOUD or the OS_* environment variables are used."
    type: raw
  disk:
    description:
      - Root disk in GB (0 for boot-from-volume flavors).
    type: int
    default: 0
  ephemeral:
    description:
      - Ephemeral disk in GB.
    type: int
    default: 0
  extra_specs:
    description:
      - Extra specs to set on the flavor.
    type: dict
    default: {}
  flavors_file:
    description:
      - os-migrate flavors.yml (written by export_flavor). Mutually exclusive with vcpus/ram.
    type: str
  is_public:
    description:
      - Public flavor; a private one is given to the current project.
    type: bool
    default: true
  name:
    description:
      - Flavor name; default osm-vmware-<vm_name>-<N>.
    type: str
  ram:
    description:
      - RAM in MiB.
    type: int
  swap:
    description:
      - Swap in MiB.
    type: int
    default: 0
  vcpus:
    description:
      - vCPUs.
    type: int
  vm_name:
    description:
      - VMware VM name, used for the default flavor name.
    type: str
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
- name: Create the flavor exported for the VM (upstream import_flavor)
  os_migrate.vmware_migration_kit.create_flavor:
    cloud: "{{ dst_cloud }}"
    flavors_file: "{{ os_migrate_vmw_data_dir }}/{{ vm_name }}/flavors.yml"

- name: Create a boot-from-volume flavor for a VM
  os_migrate.vmware_migration_kit.create_flavor:
    cloud: dst
    vm_name: web-01
    vcpus: 2
    ram: 4096
    disk: 0
'''

RETURN = r'''
created_flavor:
  description: name and id of the (first) flavor; id is null in check mode when it would be created.
  returned: success
  type: dict
flavors:
  description: Every flavor handled, with owned (created by this tool) and changed.
  returned: success
  type: list
  elements: dict
'''
