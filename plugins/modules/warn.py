#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/warn.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: warn
short_description: Show a warning to the user
version_added: 1.0.0
description:
  - Returns the given message as an Ansible warning and changes nothing.
author:
  - vmware-migration-kit TypeScript contributors
options:
  msg:
    description:
      - The warning to display.
    type: str
    required: true
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
- name: Warn that virtio-win is missing
  os_migrate.vmware_migration_kit.warn:
    msg: "The package virtio-win is not installed"
'''

RETURN = r'''
message:
  description: The warning that was shown.
  returned: always
  type: str
  sample: disk is small
'''
