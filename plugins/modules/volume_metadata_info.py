#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/volume_metadata_info.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: volume_metadata_info
short_description: Tell whether a migrated volume was converted, and return its metadata
version_added: 1.0.0
description:
  - "Reads the volume metadata: converted (false when absent) and the whole metadata map. Read-only."
author:
  - vmware-migration-kit TypeScript contributors
options:
  dst_cloud:
    description:
      - "The destination cloud. Either a dict like a clouds.yaml entry (upstream's form: auth.auth_url, auth.username, auth.password, auth.project_name, auth.user_domain_name, region_name, interface, openstack_insecure, cacert, <service>_endpoint_override, or application credentials / a token with auth_type), or the name of a cloud in clouds.yaml (searched in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with secure.yaml merged). When omitted, OS_CLOUD or the OS_* environment variables are used."
    type: raw
    aliases:
      - cloud
  volume_id:
    description:
      - Cinder volume ID.
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
  - "Unlike upstream, changed is false (the module only reads); why: docs/upstream-differences.md (Results that differ on purpose)."
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Was the first volume converted?
  os_migrate.vmware_migration_kit.volume_metadata_info:
    dst_cloud: "{{ dst_cloud }}"
    volume_id: "{{ volume_uuid[0] }}"
  register: volume_info_metadata
'''

RETURN = r'''
converted:
  description: The volume metadata converted, as a boolean.
  returned: success
  type: bool
metadata:
  description: The volume metadata.
  returned: success
  type: dict
'''
