#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/import_vmware_volume.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: import_vmware_volume
short_description: Import a VM into Cinder volumes with virt-v2v and VDDK (legacy virt-v2v path)
version_added: 1.0.0
description:
  - "Runs virt-v2v -it vddk -o openstack on the conversion host: virt-v2v reads the VM from vCenter through VDDK, converts it and writes one Cinder volume per disk, named <vm_name>-sda, <vm_name>-sdb, ... The migration_v2v playbook then creates the ports and the server from these volumes."
  - "No shell: an argument list. The vCenter URI percent-encodes every component (user, datacenter, cluster, ESXi host); a / inside vcenter_datacenter or vcenter_cluster separates inventory folders."
  - The vCenter password reaches virt-v2v as a 0600 file (-ip) in a private 0700 directory, and the OpenStack credentials as a 0600 clouds.yaml there (OS_CLOUD), never on a command line; the directory is removed on every exit path (a directory left by a killed run is removed by the next run). cmd, stdout, stderr and errors never show the password.
  - "Idempotent: when volumes <vm_name>-sda, ... carrying virt-v2v's property virt_v2v_guest_name=<vm_name> exist (virt-v2v deletes its volumes when it fails, so they are a finished import), nothing runs and changed is false."
  - "One import_vmware_volume or migrate of a VM at a time on a conversion host: a second run fails naming the first (its pid and lock file). virt-v2v and what it starts end with the module, also when it is killed with SIGKILL; a run after a killed one first stops whatever of that run still runs."
  - The vCenter certificate is verified (libvirt checks it against its CA bundle, /etc/pki/CA/cacert.pem) unless vmware_insecure is true.
author:
  - vmware-migration-kit TypeScript contributors
options:
  cloud:
    description:
      - "The destination cloud, handed to virt-v2v as a private clouds.yaml; also used to find earlier imports. Either a dict like a clouds.yaml entry (upstream's form: auth.auth_url, auth.username, auth.password, auth.project_name, auth.user_domain_name, region_name, interface, openstack_insecure, cacert, <service>_endpoint_override, or application credentials / a token with auth_type), or the name of a cloud in clouds.yaml (searched in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with secure.yaml merged). When omitted, OS_CLOUD or the OS_* environment variables are used."
    type: raw
    aliases:
      - dst_cloud
  conversion_host_id:
    description:
      - Name or ID of the Nova server virt-v2v runs on (it attaches the volumes to it while writing).
    type: str
    required: true
  esxi_hostname:
    description:
      - ESXi host running the VM, as named in vCenter.
    type: str
    required: true
  vcenter_cluster:
    description:
      - Cluster of the ESXi host (folders separated by /).
    type: str
    required: true
  vcenter_datacenter:
    description:
      - Datacenter of the VM (folders separated by /).
    type: str
    required: true
  vcenter_hostname:
    description:
      - vCenter address, host or host:port.
    type: str
    required: true
  vcenter_password:
    description:
      - Password of vcenter_username.
    type: str
    required: true
    no_log: true
  vcenter_username:
    description:
      - vCenter user, e.g. administrator@vsphere.local.
    type: str
    required: true
  vddk_libdir:
    description:
      - Directory of the VDDK library (vmware-vix-disklib-distrib).
    type: str
    required: true
  vddk_thumbprint:
    description:
      - SHA-1 thumbprint of the vCenter/ESXi certificate, AB:CD:..., for VDDK.
    type: str
    required: true
  virt_v2v_path:
    description:
      - "virt-v2v executable: a path, or a name looked up in PATH."
    type: str
    default: virt-v2v
  vm_name:
    description:
      - VMware VM name.
    type: str
    required: true
  vmware_insecure:
    description:
      - Skip the vCenter certificate check (adds no_verify=1 to the vCenter URI).
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
  - A JavaScript file built from TypeScript, run by the Node.js runtime the collection installs on the target once (plugins/action/node_module.py); it needs no Python on the target.
  - Needs virt-v2v with the VDDK input and the openstack client (python3-openstackclient) on the conversion host, and the VDDK library.
  - "libvirt verifies the vCenter certificate against its own CA bundle (/etc/pki/CA/cacert.pem on the conversion host); a vmware_ca_file or vmware_thumbprint given to the other modules is not used by virt-v2v: put the CA there."
  - Upstream wrote the password to /tmp/passwd and left it there, and always disabled the vCenter certificate check.
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Import the VM with virt-v2v
  os_migrate.vmware_migration_kit.import_vmware_volume:
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
    vcenter_datacenter: "{{ vcenter_datacenter }}"
    vcenter_cluster: "{{ vcenter_cluster }}"
    esxi_hostname: "{{ esxi_hostname }}"
    vddk_libdir: /usr/lib/vmware-vix-disklib
    vddk_thumbprint: "{{ vddk_thumbprint }}"
    conversion_host_id: "{{ conversion_host_id }}"
    vm_name: "{{ vm_name }}"
    cloud: "{{ dst_cloud }}"
  register: v2v
'''

RETURN = r'''
cmd:
  description: "The virt-v2v command, as a list: the one run, or the one that would run (check mode, or nothing to do). The password appears only as the path of its file."
  returned: always
  type: list
  elements: str
rc:
  description: Exit code of virt-v2v (0 when it did not run).
  returned: always
  type: int
stdout:
  description: Output of virt-v2v (its last MiB).
  returned: always
  type: str
stderr:
  description: Error output of virt-v2v (its last MiB).
  returned: always
  type: str
volumes:
  description: "The volumes of the import, in disk order: id, name (<vm_name>-sda first, the boot disk)."
  returned: success
  type: list
  elements: dict
'''
