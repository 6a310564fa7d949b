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
  api_timeout:
    description:
      - "No effect here, accepted for compatibility with upstream: every OpenStack call has its own timeout and retries."
    type: int
  auth:
    description:
      - "No effect here, accepted for compatibility with upstream: give the credentials inside cloud (cloud.auth)."
    type: dict
  auth_type:
    description:
      - "No effect here, accepted for compatibility with upstream: give it inside cloud (cloud.auth_type)."
    type: str
  ca_cert:
    description:
      - "No effect here, accepted for compatibility with upstream: give the CA bundle inside cloud (cloud.cacert)."
    type: str
  cacert:
    description:
      - "No effect here, accepted for compatibility with upstream: give the CA bundle inside cloud (cloud.cacert)."
    type: str
  cert:
    description:
      - "No effect here, accepted for compatibility with upstream: TLS client certificates are not supported."
    type: str
  client_cert:
    description:
      - "No effect here, accepted for compatibility with upstream: TLS client certificates are not supported."
    type: str
  client_key:
    description:
      - "No effect here, accepted for compatibility with upstream: TLS client certificates are not supported."
    type: str
  cloud:
    description:
      - "The destination cloud. Either a dict like a clouds.yaml entry (upstream's form: auth.auth_url, auth.username, auth.password, auth.project_name, auth.user_domain_name, region_name, interface, openstack_insecure, cacert, <service>_endpoint_override, or application credentials / a token with auth_type), or the name of a cloud in clouds.yaml (searched in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with secure.yaml merged). When omitted, OS_CLOUD or the OS_* environment variables are used."
    type: raw
  endpoint_type:
    description:
      - "No effect here, accepted for compatibility with upstream: give the interface inside cloud (cloud.interface)."
    type: str
  interface:
    description:
      - "No effect here, accepted for compatibility with upstream: give it inside cloud (cloud.interface)."
    type: str
  key:
    description:
      - "No effect here, accepted for compatibility with upstream: TLS client certificates are not supported."
    type: str
  output_dir:
    description:
      - Directory for heat_stack_info.txt.
    type: str
  parameters:
    description:
      - Template parameters.
    type: dict
    default: {}
  region_name:
    description:
      - "No effect here, accepted for compatibility with upstream: give it inside cloud (cloud.region_name), or set OS_REGION_NAME."
    type: str
  sdk_log_level:
    description:
      - "No effect here, accepted for compatibility with upstream: there is no openstacksdk; the module logs to stderr, with debug messages at -vvv."
    type: str
  sdk_log_path:
    description:
      - "No effect here, accepted for compatibility with upstream: there is no openstacksdk; the module logs to stderr, with debug messages at -vvv."
    type: str
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
  validate_certs:
    description:
      - "No effect here, accepted for compatibility with upstream: TLS is verified unless cloud has verify false or openstack_insecure true."
    type: bool
  verify:
    description:
      - "No effect here, accepted for compatibility with upstream: TLS is verified unless cloud has verify false or openstack_insecure true."
    type: bool
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
  - A JavaScript file built from TypeScript, run by the Node.js runtime the collection installs on the target once (plugins/action/node_module.py); it needs no Python on the target.
  - The options whose description starts with "No effect here" are accepted because upstream reads or documents them, so tasks written for upstream keep working; each one given adds a warning naming it and what to use instead.
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
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
