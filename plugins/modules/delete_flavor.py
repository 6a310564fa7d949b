#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/delete_flavor.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: delete_flavor
short_description: Delete a flavor created by the migration (by name or ID)
version_added: 1.0.0
description:
  - Deletes the flavor only if it carries the tool marker (a description starting with osm=true) and belongs to the current project; anything else is refused and left untouched.
  - A flavor that does not exist is success with changed false, so teardown can be rerun.
  - With accept_upstream_names and vm_name, a flavor that upstream's kit made for that VM, recognised by the name upstream gives it (see accept_upstream_names), is deleted too; the result's accepted says why the flavor was deleted.
author:
  - vmware-migration-kit TypeScript contributors
options:
  accept_upstream_names:
    description:
      - Also delete a flavor without the tool's marker when its name is the one upstream's kit gives the flavor of the VM vm_name (osm-vmware-<vm_name>-<0 to 9998>), so what upstream made before a switch to this collection can be removed. Objects of another project are still refused. See docs/ownership.md.
    type: bool
    default: false
  cloud:
    description:
      - "The destination cloud. Either a dict like a clouds.yaml entry (upstream's form: auth.auth_url, auth.username, auth.password, auth.project_name, auth.user_domain_name, region_name, interface, openstack_insecure, cacert, <service>_endpoint_override, or application credentials / a token with auth_type), or the name of a cloud in clouds.yaml (searched in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with secure.yaml merged). When omitted, OS_CLOUD or the OS_* environment variables are used."
    type: raw
  name:
    description:
      - Flavor name or ID.
    type: str
    required: true
  timeout:
    description:
      - Seconds to wait for the flavor to be deletable and gone.
    type: int
    default: 300
  vm_name:
    description:
      - The VMware VM whose upstream-named flavor may be deleted; required with accept_upstream_names, refused without it.
    type: str
  wait:
    description:
      - Wait until the flavor is gone.
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
  - "This is a binary module: a single-file executable built from TypeScript; it needs no Python on the target."
'''

EXAMPLES = r'''
- name: Delete the flavor
  os_migrate.vmware_migration_kit.delete_flavor:
    cloud: "{{ dst_cloud }}"
    name: "{{ flavor_id_or_name }}"

- name: Delete what upstream's kit made for a VM (its flavor has no marker)
  os_migrate.vmware_migration_kit.delete_flavor:
    cloud: "{{ dst_cloud }}"
    name: "{{ flavor_id_or_name }}"
    accept_upstream_names: true
    vm_name: "{{ vm_name }}"
'''

RETURN = r'''
id:
  description: ID of the deleted object (null when nothing was found).
  returned: always
  type: str
name:
  description: Name of the deleted object (null when nothing was found).
  returned: always
  type: str
accepted:
  description: "Why the object was deleted: 'tool marker', or 'upstream name for VM <vm_name>' (accept_upstream_names); null when nothing was found."
  returned: always
  type: str
'''
