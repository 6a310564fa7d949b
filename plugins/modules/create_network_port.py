#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/create_network_port.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: create_network_port
short_description: Create one Neutron port per VMware NIC, keeping its MAC address (idempotent)
version_added: 1.0.0
description:
  - Reads the NIC file written by export_metadata (nics.json when networks are mapped, macs.json otherwise) and makes sure each NIC has a port with its VMware MAC address, named <SafeVmName>-NIC-<i>-VLAN-<network>.
  - A port the tool created for that MAC on that network is reused (changed false); a MAC held by any other port fails and names that port, its project and device. Created ports carry the tool marker in their description (osm=true ...).
  - With use_fixed_ips the NIC IPv4 addresses are requested as fixed IPs on the NIC subnet, subnet_uuid, or the network subnet that contains each address.
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
  network_name:
    description:
      - Network name or ID for every NIC when used_mapped_networks is false.
    type: str
  os_migrate_nics_file_path:
    description:
      - "nics.json or macs.json: a list of {vlan, mac, ipaddresses, subnet}."
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
  security_groups:
    description:
      - "Security group names or IDs for the ports (default: Neutron's default group)."
    type: list
    elements: str
  subnet_uuid:
    description:
      - Subnet for fixed IPs of NICs whose entry has no subnet.
    type: str
  timeout:
    description:
      - "No effect here, accepted for compatibility with upstream: this module has nothing to wait for."
    type: int
  use_fixed_ips:
    description:
      - Request the VMware IPv4 addresses as fixed IPs.
    type: bool
    default: false
  used_mapped_networks:
    description:
      - Use each NIC's own network (vlan); when false every NIC goes to network_name.
    type: bool
    default: false
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
      - VMware VM name (port names use SafeVmName of it).
    type: str
    required: true
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
  - The options whose description starts with "No effect here" are accepted because upstream reads or documents them, so tasks written for upstream keep working; each one given adds a warning naming it and what to use instead.
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Create the VM ports on mapped networks
  os_migrate.vmware_migration_kit.create_network_port:
    cloud: "{{ dst_cloud }}"
    os_migrate_nics_file_path: "{{ os_migrate_vmw_data_dir }}/{{ vm_name }}/nics.json"
    vm_name: "{{ vm_name }}"
    used_mapped_networks: true
    security_groups: [default]
  register: ports_uuid
'''

RETURN = r'''
ports:
  description: 'One {"port-id": id} per NIC, in NIC order (port-id null in check mode for ports to create).'
  returned: success
  type: list
  elements: dict
port_details:
  description: "Per NIC: nic, id, name, mac_address, network_id, fixed_ips, action (created, reused, updated)."
  returned: success
  type: list
  elements: dict
'''
