#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/migration_status.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: migration_status
short_description: Tell which VMs are migrated already
version_added: 1.0.0
description:
  - A VM is migrated when the tool's server for it is ACTIVE, every disk of its disk_info.json has the tool's volume, marked converted and attached to that server only, and its guest_info.json shows no snapshot of the tool. A rerun of the migration would find nothing to copy, convert or create for such a VM.
  - Reads OpenStack (only what carries the tool's marker, in the session's project) and the metadata files; changes nothing and calls no vCenter. The migration playbooks use it to skip the mapping and the migration of these VMs; the verification still checks them.
author:
  - vmware-migration-kit TypeScript contributors
options:
  cloud:
    description:
      - "The destination cloud. Either a dict like a clouds.yaml entry (upstream's form: auth.auth_url, auth.username, auth.password, auth.project_name, auth.user_domain_name, region_name, interface, openstack_insecure, cacert, <service>_endpoint_override, or application credentials / a token with auth_type), or the name of a cloud in clouds.yaml (searched in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with secure.yaml merged). When omitted, OS_CLOUD or the OS_* environment variables are used."
    type: raw
    aliases:
      - dst_cloud
  os_migrate_vmw_data_dir:
    description:
      - Working directory of the migration, holding <vm>/disk_info.json and <vm>/guest_info.json (gather_guest_metadata).
    type: str
    required: true
  vms_list:
    description:
      - The VMware VMs to look at.
    type: list
    required: true
    elements: str
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
notes:
  - A JavaScript file built from TypeScript, run by the Node.js runtime the collection installs on the target once (plugins/action/node_module.py); it needs no Python on the target.
  - Changes nothing, so check mode looks the same; changed is always false.
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Which VMs are migrated already?
  os_migrate.vmware_migration_kit.migration_status:
    cloud: "{{ dst_cloud }}"
    vms_list: "{{ vms_list }}"
    os_migrate_vmw_data_dir: "{{ os_migrate_vmw_data_dir }}"
  register: migration_status
'''

RETURN = r'''
migrated:
  description: The VMs of vms_list that are migrated, in vms_list order.
  returned: success
  type: list
  elements: str
vms:
  description: "One per VM of vms_list: vm, migrated, server_id (the tool's server, or null) and reason (why it is or is not migrated)."
  returned: success
  type: list
  elements: dict
'''
