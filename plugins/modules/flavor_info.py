#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/flavor_info.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: flavor_info
short_description: Get a Nova flavor by name or ID
version_added: 1.0.0
description:
  - Looks a flavor up by ID, else by exact name, and returns it with its extra specs. Read-only.
author:
  - vmware-migration-kit TypeScript contributors
options:
  cloud:
    description:
      - "The destination cloud. Either a dict like a clouds.yaml entry (upstream's form: auth.auth_url, auth.username, auth.password, auth.project_name, auth.user_domain_name, region_name, interface, openstack_insecure, cacert, <service>_endpoint_override, or application credentials / a token with auth_type), or the name of a cloud in clouds.yaml (searched in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with secure.yaml merged). When omitted, OS_CLOUD or the OS_* environment variables are used."
    type: raw
  dcloud:
    description:
      - "No effect here, accepted for compatibility with upstream: give the credentials as cloud (dcloud is a misspelling in upstream's example)."
    type: raw
  dst_cloud:
    description:
      - "No effect here, accepted for compatibility with upstream: give the credentials as cloud (upstream reads cloud too)."
    type: raw
  flavor_id:
    description:
      - "No effect here, accepted for compatibility with upstream: give the flavor ID or name as flavor_name."
    type: str
  flavor_name:
    description:
      - Flavor name or ID.
    type: str
    required: true
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
notes:
  - A JavaScript file built from TypeScript, run by the Node.js runtime the collection installs on the target once (plugins/action/node_module.py); it needs no Python on the target.
  - "Unlike upstream, changed is false (the module only reads) and an empty flavor_name is refused instead of giving flavor null; why: docs/upstream-differences.md (Results that differ on purpose)."
  - The options whose description starts with "No effect here" are accepted because upstream reads or documents them, so tasks written for upstream keep working; each one given adds a warning naming it and what to use instead.
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Get the flavor chosen for the VM
  os_migrate.vmware_migration_kit.flavor_info:
    cloud: "{{ dst_cloud }}"
    flavor_name: "{{ flavor_name_or_uuid }}"
  register: flavor_info
'''

RETURN = r'''
flavor:
  description: The flavor (id, name, vcpus, ram, disk, swap, rxtx_factor, os-flavor-access:is_public, OS-FLV-EXT-DATA:ephemeral, description, extra_specs); null on failure.
  returned: always
  type: dict
'''
