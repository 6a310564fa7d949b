# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
"""Wait for the asynchronous import_workloads jobs of one batch, showing how far each VM is.

Used by the import_workloads role instead of an async_status `until` loop (which prints a FAILED - RETRYING line
every few seconds and nothing about the copy). Every `interval` seconds it prints one line per VM still running, read
from <data_dir>/<vm>/progress.json on the conversion host (written by the import_workloads module), e.g.
  [conv-host] web01: disk 2001 (2 of 2): 1.5 GiB of 4.0 GiB (37%), 210.3 MiB/s, ETA 12s, running 1m05s
and one line when a VM ends. A poll reads every job file and progress file in one command on the host; a job that
ended is read once more through async_status (the result the module returned). It returns `results`: per VM, the
module's result with vm_name, finished (0 when the job did not end within `timeout`) and failed.

Options: jobs (the registered results of the async task: vm_name, ansible_job_id), data_dir, timeout (seconds),
interval (seconds between progress lines, default 30).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()

# Seconds between two reads of the job files: a job that ends is seen within this time. The first reads come sooner
# (0.25 s, doubling up to POLL_SECONDS), so a VM with nothing to do is not waited for a whole second.
POLL_SECONDS = 1.0
FIRST_POLL_SECONDS = 0.25
MARK = '==osm-file=='
MISSING = '==osm-missing=='
UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']


def _bytes(n):
    v = float(n)
    u = 0
    while v >= 1024 and u < len(UNITS) - 1:
        v /= 1024
        u += 1
    return '%d B' % n if u == 0 else '%.1f %s' % (v, UNITS[u])


def _duration(seconds):
    s = int(round(seconds))
    if s < 60:
        return '%ds' % s
    if s < 3600:
        return '%dm%02ds' % (s // 60, s % 60)
    return '%dh%02dm' % (s // 3600, (s % 3600) // 60)


def progress_line(vm, record, elapsed):
    """One line for a VM from its progress record (None before the module wrote one)."""
    running = 'running %s' % _duration(elapsed)
    if not record or record.get('phase') in ('done', 'failed'):
        return '%s: starting, %s' % (vm, running)
    if record.get('phase') != 'copying':
        return '%s: %s, %s' % (vm, record.get('phase'), running)
    done = record.get('done_bytes', 0)
    total = record.get('total_bytes', 0)
    pct = int(done * 100 // total) if total else 100
    eta = record.get('eta_seconds')
    return '%s: %s (%s of %s): %s of %s (%d%%), %s/s, ETA %s, %s' % (
        vm, record.get('disk'), record.get('disk_number'), record.get('disks'), _bytes(done), _bytes(total), pct,
        _bytes(record.get('bytes_per_second', 0)), 'unknown' if eta is None else _duration(eta), running)


def _finished_result(raw, jid):
    """The job's result from its job file, as async_status returns it; None unless the file holds a finished one."""
    try:
        data = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    if not isinstance(data, dict) or 'started' in data:
        return None
    return dict(data, finished=1, ansible_job_id=jid)


def _job_ended(raw):
    """The job file says the job ended (or there is none: async_status then says why)."""
    if raw is None:
        return True
    try:
        data = json.loads(raw)
    except ValueError:
        return False  # being written
    return 'started' not in data or bool(data.get('finished'))


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('jobs', 'data_dir', 'timeout', 'interval'))

    def _read_files(self, paths):
        """The content of each file (None when missing), read in one command on the host (each file is one JSON
        document, which need not end with a newline)."""
        q = self._connection._shell.quote
        script = '; '.join(
            "printf '\\n%%s\\n' %s; cat %s 2>/dev/null || printf '%%s\\n' %s" % (q('%s %d' % (MARK, i)), q(p), q(MISSING))
            for i, p in enumerate(paths))
        res = self._low_level_execute_command(script)
        contents = [None] * len(paths)
        current = None
        lines = {}
        for line in res.get('stdout', '').splitlines():
            if line.startswith(MARK + ' '):
                current = int(line[len(MARK) + 1:])
                lines[current] = []
            elif current is not None and line.strip():
                lines[current].append(line)
        for i, got in lines.items():
            contents[i] = None if got == [MISSING] else '\n'.join(got)
        return contents

    def _status(self, jid, async_dir, task_vars):
        return self._execute_module(module_name='ansible.legacy.async_status', task_vars=task_vars,
                                    module_args={'jid': jid, '_async_dir': async_dir})

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self._task.args
        try:
            timeout = float(args.get('timeout'))
            interval = float(args.get('interval', 30))
        except (TypeError, ValueError):
            raise AnsibleActionFail('timeout and interval must be numbers of seconds (got %r, %r)' % (args.get('timeout'), args.get('interval')))
        if interval <= 0:
            raise AnsibleActionFail('interval must be more than 0 seconds (got %s)' % interval)
        data_dir = args.get('data_dir')
        if not data_dir:
            raise AnsibleActionFail('data_dir is required: the directory holding <vm>/progress.json on the host')
        host = task_vars.get('inventory_hostname', '')
        results = []
        pending = []
        for job in args.get('jobs') or []:
            if job.get('ansible_job_id'):
                pending.append(job)
            else:
                # not started as a job (it failed to start, or check mode ran it to the end): its result as it is
                results.append(dict(job, finished=1))
        async_dir = self._remote_expand_user(self.get_shell_option('async_dir', default='~/.ansible_async'))
        join = self._connection._shell.join_path
        started = time.time()
        next_line = started + interval
        poll = FIRST_POLL_SECONDS
        try:
            while pending:
                paths = []
                for job in pending:
                    paths += [join(async_dir, job['ansible_job_id']), join(data_dir, job['vm_name'], 'progress.json')]
                contents = self._read_files(paths)
                progress = {}
                still = []
                for i, job in enumerate(pending):
                    vm = job['vm_name']
                    if not _job_ended(contents[2 * i]):
                        still.append(job)
                        try:
                            progress[vm] = json.loads(contents[2 * i + 1] or 'null')
                        except ValueError:
                            progress[vm] = None
                        continue
                    # The job file holds the result once the job ended: async_status is asked only when it does not.
                    res = _finished_result(contents[2 * i], job['ansible_job_id']) or self._status(job['ansible_job_id'], async_dir, task_vars)
                    if not res.get('finished'):
                        still.append(job)
                        continue
                    res = dict(res, vm_name=vm, finished=1, failed=bool(res.get('failed')))
                    results.append(res)
                    outcome = ('FAILED: %s' % (res.get('msg') or 'failed')) if res.get('failed') else (res.get('msg') or 'done')
                    display.display('[%s] %s: %s (%s)' % (host, vm, outcome, _duration(time.time() - started)))
                pending = still
                now = time.time()
                if pending and now - started >= timeout:
                    for job in pending:
                        msg = 'did not finish within %d s' % timeout
                        results.append(dict(vm_name=job['vm_name'], ansible_job_id=job['ansible_job_id'], finished=0, failed=True, msg=msg))
                        display.display('[%s] %s: FAILED: %s' % (host, job['vm_name'], msg))
                    break
                if pending and now >= next_line:
                    for job in pending:
                        display.display('[%s] %s' % (host, progress_line(job['vm_name'], progress.get(job['vm_name']), now - started)))
                    while next_line <= now:
                        next_line += interval
                if pending:
                    time.sleep(poll)
                    poll = min(POLL_SECONDS, poll * 2)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        order = [j.get('vm_name') for j in args.get('jobs') or []]
        results.sort(key=lambda r: order.index(r.get('vm_name')) if r.get('vm_name') in order else len(order))
        result['results'] = results
        result['changed'] = any(r.get('changed') for r in results)
        return result
