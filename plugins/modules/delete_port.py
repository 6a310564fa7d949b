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
  - With accept_upstream_names and vm_name, a port that upstream's kit made for that VM, recognised by the name upstream gives it (see accept_upstream_names), is deleted too; the result's accepted says why the port was deleted.
author:
  - vmware-migration-kit TypeScript contributors
options:
  accept_upstream_names:
    description:
      - Also delete a port without the tool's marker when its name is the one upstream's kit gives the port of the VM vm_name (SafeVmName(vm_name)-NIC-<index>-VLAN-<name or ID of the port's network>), so what upstream made before a switch to this collection can be removed. Objects of another project are still refused. See docs/ownership.md.
    type: bool
    default: false
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
  name:
    description:
      - Port name or ID.
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
  timeout:
    description:
      - Seconds to wait for the port to be deletable and gone.
    type: int
    default: 300
  validate_certs:
    description:
      - "No effect here, accepted for compatibility with upstream: TLS is verified unless cloud has verify false or openstack_insecure true."
    type: bool
  verify:
    description:
      - "No effect here, accepted for compatibility with upstream: TLS is verified unless cloud has verify false or openstack_insecure true."
    type: bool
  vm_name:
    description:
      - The VMware VM whose upstream-named port may be deleted; required with accept_upstream_names, refused without it.
    type: str
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
  - A JavaScript file built from TypeScript, run by the Node.js runtime the collection installs on the target once (plugins/action/node_module.py); it needs no Python on the target.
  - The options whose description starts with "No effect here" are accepted because upstream reads or documents them, so tasks written for upstream keep working; each one given adds a warning naming it and what to use instead.
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Delete the port
  os_migrate.vmware_migration_kit.delete_port:
    cloud: "{{ dst_cloud }}"
    name: "{{ port_id_or_name }}"

- name: Delete what upstream's kit made for a VM (its port has no marker)
  os_migrate.vmware_migration_kit.delete_port:
    cloud: "{{ dst_cloud }}"
    name: "{{ port_id_or_name }}"
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
