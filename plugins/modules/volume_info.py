#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/volume_info.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: volume_info
short_description: Get a Cinder volume by name or ID
version_added: 1.0.0
description:
  - Returns the volume with this ID, else the one volume of the project with exactly this name. When several share the name and exactly one carries the tool marker (metadata osm=true), that one is returned. Read-only.
author:
  - vmware-migration-kit TypeScript contributors
options:
  cloud:
    description:
      - "The destination cloud. Either a dict like a clouds.yaml entry (upstream's form: auth.auth_url, auth.username, auth.password, auth.project_name, auth.user_domain_name, region_name, interface, openstack_insecure, cacert, <service>_endpoint_override, or application credentials / a token with auth_type), or the name of a cloud in clouds.yaml (searched in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with secure.yaml merged). When omitted, OS_CLOUD or the OS_* environment variables are used."
    type: raw
  name:
    description:
      - Volume name or ID.
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
  - "This is a binary module: a single-file executable built from TypeScript; it needs no Python on the target."
'''

EXAMPLES = r'''
- name: Find the boot volume
  os_migrate.vmware_migration_kit.volume_info:
    cloud: "{{ dst_cloud }}"
    name: "{{ vm_name }}-sda"
  register: boot_volume
'''

RETURN = r'''
volumes:
  description: 'One element: id, name, status, size (GiB), bootable ("true"/"false"), metadata, owned (carries the tool marker). null on failure.'
  returned: always
  type: list
  elements: dict
'''
