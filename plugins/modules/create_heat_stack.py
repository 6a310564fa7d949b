#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/create_heat_stack.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: create_heat_stack
short_description: Create a Heat stack from a template (idempotent)
version_added: 1.0.0
description:
  - Creates the stack (tagged osm) and by default waits for CREATE_COMPLETE; a failed stack reports Heat's reason.
  - A stack of that name tagged osm is reused (changed false); one without the tag fails and is left alone.
  - With output_dir, writes heat_stack_info.txt (name, ID, status, template).
author:
  - vmware-migration-kit TypeScript contributors
options:
  cloud:
    description:
      - "The destination cloud. Either a dict like a clouds.yaml entry (upstream's form: auth.auth_url, auth.username, auth.password, auth.project_name, auth.user_domain_name, region_name, interface, openstack_insecure, cacert, <service>_endpoint_override, or application credentials / a token with auth_type), or the name of a cloud in clouds.yaml (searched in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with secure.yaml merged). When omitted, OS_CLOUD or the OS_* environment variables are used."
    type: raw
  output_dir:
    description:
      - Directory for heat_stack_info.txt.
    type: str
  parameters:
    description:
      - Template parameters.
    type: dict
    default: {}
  stack_name:
    description:
      - Stack name.
    type: str
    required: true
  template_path:
    description:
      - Heat template (from generate_heat_template).
    type: str
    required: true
  timeout:
    description:
      - Seconds for the stack to complete (also the stack timeout).
    type: int
    default: 600
  wait:
    description:
      - Wait for CREATE_COMPLETE.
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
- name: Create the stack
  os_migrate.vmware_migration_kit.create_heat_stack:
    cloud: "{{ dst_cloud }}"
    template_path: "{{ heat_template.template_path }}"
    stack_name: "{{ heat_stack_name }}"
    parameters: "{{ heat_template.parameters }}"
    output_dir: "{{ os_migrate_vmw_data_dir }}"
'''

RETURN = r'''
stack:
  description: id, name, status.
  returned: always
  type: dict
info_path:
  description: Path of heat_stack_info.txt.
  returned: when output_dir is set
  type: str
'''
