#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# Generated from src/modules/plan_waves.ts by `npm run build`; edit the TypeScript, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: plan_waves
short_description: Plan migration waves from the assessment
version_added: 1.0.0
description:
  - "Reads <os_migrate_vmw_data_dir>/assessment.json and writes <os_migrate_vmw_data_dir>/waves.yml: waves (name, vms, bytes, estimated_seconds) of the ready and warning VMs only, in order (wave_priority first, then wave_order)."
  - Each wave stays within max_instances_in_flight, max_parallel_migrations times conversion_hosts, the project's remaining quota headroom (instances, cores, RAM, volumes, gigabytes, ports), max_reads_per_esxi_host and max_reads_per_datastore; a migration group is never split.
  - "VMs that are in no wave are listed in unplanned with the reason (blocked, not assessed, a limit they exceed alone, a group member that cannot move). estimated_seconds is bytes over the rate: transfer_rate_mib_per_second, else the rate of the disk copies in earlier runs' logs, else the default."
author:
  - vmware-migration-kit TypeScript contributors
options:
  conversion_hosts:
    description:
      - Number of conversion hosts a wave is spread over; a wave has at most max_parallel_migrations times this many VMs.
    type: int
    default: 1
  max_instances_in_flight:
    description:
      - Migrated instances the operator allows at once, across all conversion hosts; no wave is larger.
    type: int
  max_parallel_migrations:
    description:
      - VMs one conversion host migrates at once (the migration playbook's max_parallel_migrations).
    type: int
    default: 5
  max_reads_per_datastore:
    description:
      - VMs with a disk on one datastore a wave reads at the same time.
    type: int
  max_reads_per_esxi_host:
    description:
      - VMs of one ESXi host a wave reads at the same time.
    type: int
  migration_groups:
    description:
      - "VMs that must move together: each group is in one wave or in none."
    type: list
    default: []
    elements: list
  migration_log_dirs:
    description:
      - Directories holding earlier runs' osm-nbdkit-*.log files (besides <os_migrate_vmw_data_dir>/<vm>/migration.log), to measure the rate.
    type: list
    default:
      - /tmp
    elements: str
  os_migrate_vmw_data_dir:
    description:
      - "Working directory of the migration: assessment.json is read from it, waves.yml written to it."
    type: str
    required: true
  transfer_rate_mib_per_second:
    description:
      - "Rate a wave reads at (MiB/s), for the estimates. Default: measured from earlier runs' logs, else 100."
    type: float
  vms_list:
    description:
      - Plan only these VMs; default every VM of assessment.json.
    type: list
    elements: str
  wave_order:
    description:
      - "After the priority list: the VMs with the fewest bytes to read first, or the most."
    type: str
    default: smallest
    choices:
      - smallest
      - largest
  wave_priority:
    description:
      - VMs that go first, in this order (a group goes with its first listed member).
    type: list
    default: []
    elements: str
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
notes:
  - A JavaScript file built from TypeScript, run by the Node.js runtime the collection installs on the target once (plugins/action/node_module.py); it needs no Python on the target.
  - In check mode nothing is written; the plan is returned and changed says whether waves.yml would change.
  - Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.
'''

EXAMPLES = r'''
- name: Plan waves of at most 5 instances over two conversion hosts
  os_migrate.vmware_migration_kit.plan_waves:
    os_migrate_vmw_data_dir: /opt/os-migrate
    max_instances_in_flight: 5
    max_parallel_migrations: 5
    conversion_hosts: 2
    migration_groups:
      - [db-1, app-1]
    wave_priority: [dns-1]
'''

RETURN = r'''
waves:
  description: "The waves: name, vms, bytes, estimated_seconds."
  returned: success
  type: list
  elements: dict
unplanned:
  description: "VMs in no wave: vm and reason."
  returned: success
  type: list
  elements: dict
warnings_quota:
  description: Quota the waves together exceed.
  returned: success
  type: list
  elements: str
bytes_per_second:
  description: Rate used for the estimates.
  returned: success
  type: int
rate_source:
  description: configured, measured or default.
  returned: success
  type: str
path:
  description: waves.yml.
  returned: success
  type: str
'''
