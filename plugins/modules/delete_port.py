#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/delete_port.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: delete_port
short_description: Delete a port created by the migration (by name or ID)
version_added: 1.0.0
description:
  - Deletes the port only if it carries the tool marker (a description starting with osm=true) and belongs to the current project; anything else is refused and left untouched.
  - A port that does not exist is success with changed false, so teardown can be rerun.
author:
  - vmware-migration-kit TypeScript contributors
options:
  cloud:
    description:
      - "The destination cloud. Either a dict like a clouds.yaml entry (upstream's form: auth.auth_url, auth.username, auth.password, auth.project_name, auth.user_domain_name, region_name, interface, openstack_insecure, cacert, <service>_endpoint_override, or application credentials / a token with auth_type), or the name of a cloud in clouds.yaml (searched in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with secure.yaml merged). When omitted, OS_CLOUD or the OS_* environment variables are used."
    type: raw
  name:
    description:
      - Port name or ID.
    type: str
    required: true
  timeout:
    description:
      - Seconds to wait for the port to be deletable and gone.
    type: int
    default: 300
  wait:
    description:
      - Wait until the port is gone.
    type: bool
    default: true
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
notes:
  - "This is a binary module: a single-file executable built from TypeScript; it needs no Python on the target."
'''

EXAMPLES = r'''
- name: Delete the port
  os_migrate.vmware_migration_kit.delete_port:
    cloud: "{{ dst_cloud }}"
    name: "{{ port_id_or_name }}"
'''

RETURN = r'''
id:
  description: ID of the deleted object (null when nothing was found).
  returned: always
  type: str
'''
