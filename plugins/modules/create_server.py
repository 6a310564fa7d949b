#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/create_server.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: create_server
short_description: Create the Nova server of a migrated VM, booting from its volume (idempotent)
version_added: 1.0.0
description:
  - Boots a server named SafeVmName(name) from boot_volume, with the data volumes, ports or networks, security groups, key pair, availability zone and user data, and waits until it is ACTIVE.
  - Everything is checked before the create call (flavor, volumes available and the boot volume bootable, ports free, networks, security groups, key pair), so mistakes fail with a clear message and create nothing.
  - "Idempotent: a server of that name carrying the tool marker (metadata osm=true) is reused (changed false); a server of that name without it is left alone and the module fails. A server in ERROR fails with Nova's fault message."
author:
  - vmware-migration-kit TypeScript contributors
options:
  auth:
    description:
      - "No effect here, accepted for compatibility with upstream: give the credentials inside cloud (cloud.auth)."
    type: dict
  availability_zone:
    description:
      - Nova availability zone.
    type: str
  boot_from_cinder:
    description:
      - Upstream option; the boot volume is always checked to be available and bootable.
    type: bool
    default: false
  boot_from_volume:
    description:
      - "No effect here, accepted for compatibility with upstream: the server always boots from boot_volume."
    type: bool
  boot_volume:
    description:
      - Cinder volume ID to boot from (boot_index 0).
    type: str
    required: true
  cloud:
    description:
      - "The destination cloud. Either a dict like a clouds.yaml entry (upstream's form: auth.auth_url, auth.username, auth.password, auth.project_name, auth.user_domain_name, region_name, interface, openstack_insecure, cacert, <service>_endpoint_override, or application credentials / a token with auth_type), or the name of a cloud in clouds.yaml (searched in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with secure.yaml merged). When omitted, OS_CLOUD or the OS_* environment variables are used."
    type: raw
  flavor:
    description:
      - Flavor ID or name.
    type: str
    required: true
  flavor_id:
    description:
      - "No effect here, accepted for compatibility with upstream: give the flavor ID or name as flavor."
    type: str
  image_id:
    description:
      - "No effect here, accepted for compatibility with upstream: the server boots from boot_volume (the migrated disk), never from an image."
    type: str
  instance_scheduler:
    description:
      - "No effect here, accepted for compatibility with upstream: the Nova scheduler places the server; availability_zone narrows it."
    type: dict
  key_name:
    description:
      - Nova key pair to inject.
    type: str
  metadata:
    description:
      - Extra server metadata (osm=true is always added).
    type: dict
    default: {}
  name:
    description:
      - VM name; the server is named SafeVmName(name).
    type: str
    required: true
  networks:
    description:
      - "No effect here, accepted for compatibility with upstream: give the NICs as nics ({port-id} or {net-id, fixed-ip})."
    type: list
    elements: dict
    suboptions: {}
  nics:
    description:
      - "NICs: {port-id} (from create_network_port) or {net-id[, fixed-ip]}."
    type: list
    default: []
    elements: dict
    suboptions:
      fixed-ip:
        description:
          - Fixed IP on net-id.
        type: str
      net-id:
        description:
          - Network ID.
        type: str
      port-id:
        description:
          - Port ID (from create_network_port).
        type: str
  region_name:
    description:
      - "No effect here, accepted for compatibility with upstream: give it inside cloud (cloud.region_name), or set OS_REGION_NAME."
    type: str
  security_groups:
    description:
      - Security group names or IDs (apply to NICs given by net-id; ports keep their own groups).
    type: list
    default: []
    elements: str
  source_vm_json_path:
    description:
      - "No effect here, accepted for compatibility with upstream: the server is built from flavor, boot_volume, volumes and nics, not from a VM file."
    type: str
  state:
    description:
      - Only present (use delete_server to remove).
    type: str
    default: present
    choices:
      - present
  timeout:
    description:
      - Seconds to wait for the server to become ACTIVE.
    type: int
    default: 1800
  user_data:
    description:
      - User data (plain text; base64-encoded by the module).
    type: str
  volumes:
    description:
      - Data volume IDs, attached in order (empty strings ignored).
    type: list
    default: []
    elements: str
  wait:
    description:
      - Wait until the server is ACTIVE.
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
- name: Create the server
  os_migrate.vmware_migration_kit.create_server:
    cloud: "{{ dst_cloud }}"
    name: "{{ vm_name }}"
    nics: "{{ nics }}"
    boot_volume: "{{ boot_volume_uuid }}"
    volumes: "{{ volumes_list }}"
    security_groups: ["{{ security_groups }}"]
    flavor: "{{ flavor_info.flavor.id }}"
    key_name: "{{ ssh_key_name | default(omit) }}"
  register: instance_output
'''

RETURN = r'''
id:
  description: Server ID (null in check mode when it would be created).
  returned: success
  type: str
server:
  description: id, name, status.
  returned: success
  type: dict
'''
