#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/generate_heat_template.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: generate_heat_template
short_description: Write a Heat template creating the servers of migrated VMs
version_added: 1.0.0
description:
  - "Writes <output_dir>/heat_template.yaml: per VM a server booting from the migrated volume with its data volumes, on the given existing ports (port_ids) or on one port the stack creates; volume IDs, port IDs and security groups are template parameters, returned in parameters for create_heat_stack."
  - The volumes are referenced, not managed by the stack, so deleting the stack never deletes migrated data. The file is rewritten only when it changes; check mode writes nothing.
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
      - "No effect here, accepted for compatibility with upstream: this module only writes a template file and calls no OpenStack API."
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
      - Directory for heat_template.yaml.
    type: str
    required: true
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
      - Stack name (recorded in the template description).
    type: str
    required: true
  timeout:
    description:
      - "No effect here, accepted for compatibility with upstream: this module has nothing to wait for."
    type: int
  validate_certs:
    description:
      - "No effect here, accepted for compatibility with upstream: TLS is verified unless cloud has verify false or openstack_insecure true."
    type: bool
  verify:
    description:
      - "No effect here, accepted for compatibility with upstream: TLS is verified unless cloud has verify false or openstack_insecure true."
    type: bool
  vms_data:
    description:
      - The VMs.
    type: list
    required: true
    elements: dict
    suboptions:
      availability_zone:
        description:
          - Availability zone of the server.
        type: str
      boot_volume_id:
        description:
          - Migrated boot volume ID.
        type: str
        required: true
      data_volume_ids:
        description:
          - Migrated data volume IDs.
        type: list
        elements: str
      flavor:
        description:
          - Flavor name or ID.
        type: str
        required: true
      key_name:
        description:
          - Key pair of the server.
        type: str
      mac_address:
        description:
          - MAC address to keep on the port the stack creates.
        type: str
      name:
        description:
          - VM name (the server is named SafeVmName(name)).
        type: str
        required: true
      network:
        description:
          - Network name or ID of the port the stack creates (required without port_ids).
        type: str
      port_ids:
        description:
          - Existing ports for the server, in NIC order (e.g. from create_network_port); then the stack creates no port and never deletes these.
        type: list
        elements: str
      security_groups:
        description:
          - Security groups of the port.
        type: list
        elements: str
      user_data:
        description:
          - cloud-init user data of the server (sent as is).
        type: str
  wait:
    description:
      - "No effect here, accepted for compatibility with upstream: this module has nothing to wait for."
    type: bool
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
notes:
  - A JavaScript file built from TypeScript, run by the Node.js runtime the collection installs on the target once (plugins/action/node_module.py); it needs no Python on the target.
  - The options whose description starts with "No effect here" are accepted because upstream reads or documents them, so tasks written for upstream keep working; each one given adds a warning naming it and what to use instead.
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Generate the Heat template
  os_migrate.vmware_migration_kit.generate_heat_template:
    vms_data: "{{ heat_vms_data }}"
    stack_name: "{{ heat_stack_name }}"
    output_dir: "{{ os_migrate_vmw_data_dir }}"
  register: heat_template
'''

RETURN = r'''
template_path:
  description: Path of the template.
  returned: success
  type: str
stack_name:
  description: The stack name.
  returned: success
  type: str
parameters:
  description: Parameter values for the template.
  returned: success
  type: dict
'''
