#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/assessment_report.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: assessment_report
short_description: Write the assessment as one self-contained HTML page
version_added: 1.0.0
description:
  - "Reads <os_migrate_vmw_data_dir>/assessment.json, waves.yml and verification.json (the last two when present) and writes <os_migrate_vmw_data_dir>/assessment.html: totals, the blocked VMs first with their fixes, the VMs with warnings, per-wave bars of bytes and estimated time, per network and per datastore, the check counts, the verification results and every VM."
  - The page has no script and no external asset (inline CSS and SVG); every number shown is also in a data-* attribute.
author:
  - vmware-migration-kit TypeScript contributors
options:
  os_migrate_vmw_data_dir:
    description:
      - Working directory of the migration, holding assessment.json (and waves.yml, verification.json when present).
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
  - In check mode nothing is written; changed says whether the page would change.
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Write assessment.html
  os_migrate.vmware_migration_kit.assessment_report:
    os_migrate_vmw_data_dir: /opt/os-migrate
'''

RETURN = r'''
path:
  description: The page written (or that would be written in check mode).
  returned: success
  type: str
'''
