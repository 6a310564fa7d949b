#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/vmware_vm_power.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: vmware_vm_power
short_description: Power one VMware VM on or off, or shut its guest down
version_added: 1.0.0
description:
  - "Brings the named VM to the asked power state: poweredon (power on, or resume a suspended VM), poweredoff (hard power-off, the guest is not asked) or shutdownguest (guest shutdown through VMware Tools, waiting up to timeout seconds; with force, a hard power-off when the guest is still on then)."
  - "Idempotent: a VM already in the state is left alone (changed false). Check mode says what it would do and changes nothing."
  - Only the named VM is touched; a name that does not exist fails with the closest existing names.
author:
  - vmware-migration-kit TypeScript contributors
options:
  folder:
    description:
      - Inventory folder of the VM (e.g. /Datacenter/vm); the VM is looked up at `<folder>/<vm_name>`, else by its name.
    type: str
    aliases:
      - vddkpath
  force:
    description:
      - "shutdownguest: power off hard when the guest is still on after timeout (or has no VMware Tools); false fails instead."
    type: bool
    default: false
  state:
    description:
      - The power state to bring the VM to.
    type: str
    required: true
    choices:
      - poweredon
      - poweredoff
      - shutdownguest
  timeout:
    description:
      - "shutdownguest: seconds to wait for the guest to shut down."
    type: int
    default: 300
  vcenter_ca_file:
    description:
      - PEM file of a CA (or of the self-signed vCenter certificate) to trust.
    type: str
    aliases:
      - vmware_ca_file
  vcenter_hostname:
    description:
      - vCenter or ESXi address, `host` or `host:port` (port 443 by default).
    type: str
    required: true
    aliases:
      - hostname
  vcenter_password:
    description:
      - Password of vcenter_username.
    type: str
    required: true
    aliases:
      - password
    no_log: true
  vcenter_thumbprint:
    description:
      - SHA-1 thumbprint of the vCenter certificate (`AB:CD:…`). When set, only a certificate with this thumbprint is accepted (instead of CA verification), and a mismatch stops before any credential is sent.
    type: str
    aliases:
      - thumbprint
      - vmware_thumbprint
  vcenter_username:
    description:
      - vCenter user name, e.g. administrator@vsphere.local.
    type: str
    required: true
    aliases:
      - username
  vm_name:
    description:
      - Name of the VM (or its inventory path, /DC/vm/folder/name).
    type: str
    required: true
    aliases:
      - name
      - vmname
  vmware_insecure:
    description:
      - Skip TLS certificate verification of vCenter. Prefer vcenter_thumbprint or vcenter_ca_file.
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
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Shut a VM down, powering it off hard after two minutes
  os_migrate.vmware_migration_kit.vmware_vm_power:
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
    vcenter_ca_file: /etc/pki/vcenter-ca.pem
    vm_name: rhel-1
    folder: /Datacenter/vm
    state: shutdownguest
    timeout: 120
    force: true

- name: Power the source VM on again
  os_migrate.vmware_migration_kit.vmware_vm_power:
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
    vm_name: rhel-1
    state: poweredon
'''

RETURN = r'''
vm:
  description: "The VM: name, moid and inventory path."
  returned: success
  type: dict
  sample:
    name: rhel-1
    moid: vm-57
    path: /DC0/vm/rhel-1
power_state_before:
  description: "Power state found: poweredOn, poweredOff or suspended."
  returned: success
  type: str
power_state:
  description: "Power state after the task (check mode: the state a run would leave)."
  returned: success
  type: str
action:
  description: "What was done (check mode: would be done): none, power on, hard power-off, guest shutdown, or guest shutdown, then hard power-off."
  returned: success
  type: str
'''
