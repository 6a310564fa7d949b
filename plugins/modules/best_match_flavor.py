#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/best_match_flavor.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: best_match_flavor
short_description: Find the existing Nova flavor that best fits a VMware VM
version_added: 1.0.0
description:
  - Reads the VM sizes exported by the export_metadata role (guest_info.json, disk_info.json) and returns the smallest existing flavor with at least as many vCPUs and as much RAM as the VM.
  - Disk capacities are read in bytes. With boot_from_volume (default, how migrated VMs boot) the flavor root disk does not matter and flavors with disk 0 are preferred; otherwise the flavor disk must hold all VM disks.
  - "Fails, naming the largest flavors, when no flavor is large enough. Read-only: changed is always false."
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
  boot_from_volume:
    description:
      - The server boots from the migrated volume, so the flavor root disk size is irrelevant and disk-0 flavors are preferred.
    type: bool
    default: true
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
  disk_info_path:
    description:
      - Path of disk_info.json (disks[].capacity in bytes).
    type: str
    required: true
  endpoint_type:
    description:
      - "No effect here, accepted for compatibility with upstream: give the interface inside cloud (cloud.interface)."
    type: str
  guest_info_path:
    description:
      - Path of guest_info.json (needs hw_processor_count and hw_memtotal_mb).
    type: str
    required: true
  interface:
    description:
      - "No effect here, accepted for compatibility with upstream: give it inside cloud (cloud.interface)."
    type: str
  key:
    description:
      - "No effect here, accepted for compatibility with upstream: TLS client certificates are not supported."
    type: str
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
    support: none
notes:
  - A JavaScript file built from TypeScript, run by the Node.js runtime the collection installs on the target once (plugins/action/node_module.py); it needs no Python on the target.
  - "Unlike upstream, changed is false (the module only reads) and no flavor smaller than the VM is ever picked; why: docs/upstream-differences.md (Results that differ on purpose)."
  - The options whose description starts with "No effect here" are accepted because upstream reads or documents them, so tasks written for upstream keep working; each one given adds a warning naming it and what to use instead.
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Pick a flavor for the VM
  os_migrate.vmware_migration_kit.best_match_flavor:
    cloud: "{{ dst_cloud }}"
    guest_info_path: "{{ os_migrate_vmw_data_dir }}/{{ vm_name }}/guest_info.json"
    disk_info_path: "{{ os_migrate_vmw_data_dir }}/{{ vm_name }}/disk_info.json"
  register: flavor_name
'''

RETURN = r'''
openstack_flavor_uuid:
  description: ID of the chosen flavor ("" on failure).
  returned: always
  type: str
  sample: "3"
flavor:
  description: The chosen flavor.
  returned: success
  type: dict
required:
  description: "What the VM needs: vcpus, ram (MiB), disk_gb (all disks, rounded up)."
  returned: success
  type: dict
'''
