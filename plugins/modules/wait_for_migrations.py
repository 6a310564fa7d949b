#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
# The documentation of the action plugins/action/wait_for_migrations.py (an action without a module); written by hand.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: wait_for_migrations
short_description: Wait for asynchronous import_workloads jobs, showing each VM's progress
version_added: 1.0.0
description:
  - >-
    Waits until every job of a batch started by C(import_workloads) with C(async) and C(poll=0) has ended, or
    I(timeout) has passed.
  - >-
    Every I(interval) seconds it prints one line per VM still running, read from C(<data_dir>/<vm>/progress.json) on
    the host (which the import_workloads module rewrites every 2 s), for example
    "[conv-host] web01: disk 2001 (2 of 2): 1.5 GiB of 4.0 GiB (37%), 210.3 MiB/s, ETA 12s, running 1m05s";
    before the copy and after it, the step (preparing, converting the guest, creating the ports and the server).
  - >-
    Prints one line when a VM ends, with its message. Used by the import_workloads role instead of an async_status
    loop.
author:
  - vmware-migration-kit TypeScript contributors
options:
  jobs:
    description:
      - The registered results of the asynchronous task, one per VM, each with C(vm_name) and C(ansible_job_id).
    type: list
    elements: dict
    required: true
  data_dir:
    description:
      - The migration data directory on the host, holding C(<vm>/progress.json).
    type: path
    required: true
  timeout:
    description:
      - Seconds to wait; a VM still running then is reported as failed (C(finished=0)).
    type: int
    required: true
  interval:
    description:
      - Seconds between two progress lines of each running VM.
    type: int
    default: 30
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
notes:
  - >-
    An action plugin. It runs on the controller and reads the job files and progress files on the host with one
    shell command per second; it needs no Python on the host except for async_status, once per ended job.
'''

EXAMPLES = r'''
- name: Start the migration of each VM of the batch
  os_migrate.vmware_migration_kit.import_workloads:
    vm_name: "{{ vm_name }}"
    os_migrate_vmw_data_dir: /opt/os-migrate
    dst_cloud: "{{ dst_cloud }}"
    vcenter_hostname: "{{ vcenter_hostname }}"
    vcenter_username: "{{ vcenter_username }}"
    vcenter_password: "{{ vcenter_password }}"
  loop: [web01, db01]
  loop_control:
    loop_var: vm_name
  async: 86400
  poll: 0
  register: jobs

- name: Wait for the batch to finish
  os_migrate.vmware_migration_kit.wait_for_migrations:
    jobs: "{{ jobs.results }}"
    data_dir: /opt/os-migrate
    timeout: 86400
    interval: 30
  register: done
'''

RETURN = r'''
results:
  description:
    - Per VM, in the order of I(jobs), the module's result with C(vm_name), C(finished) (1, or 0 when the job did
      not end in time) and C(failed).
  returned: always
  type: list
  elements: dict
'''
