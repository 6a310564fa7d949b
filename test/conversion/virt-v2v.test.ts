import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  conversionEnv,
  convertInPlace,
  customizeArgs,
  supportsCustomizeOptions,
  virtCustomizeArgs,
  virtV2vInPlaceArgs,
  type ConversionOptions,
} from '../../src/conversion/virt-v2v.js';

const disk: ConversionOptions = { input: { kind: 'disk', path: '/dev/vdb' }, guestFamily: 'linux' };

describe('virt-v2v-in-place command lines', () => {
  it('plain single disk: -i disk with the raw format (no probing of guest-controlled data)', () => {
    assert.deepEqual(virtV2vInPlaceArgs(disk), ['-i', 'disk', '-if', 'raw', '/dev/vdb']);
  });

  it('Linux guest: --run network script, --firstboot, extra options as separate arguments, in upstream order', () => {
    const o: ConversionOptions = { ...disk, networkScript: '/run.sh', firstbootScript: '/boot.sh', extraOptions: ['--verbose', '--root', 'first'] };
    assert.deepEqual(virtV2vInPlaceArgs(o), ['--run', '/run.sh', '--firstboot', '/boot.sh', '--verbose', '--root', 'first', '-i', 'disk', '-if', 'raw', '/dev/vdb']);
  });

  it('Windows and other guests never get the network script', () => {
    for (const guestFamily of ['windows', 'other'] as const) {
      assert.deepEqual(customizeArgs({ guestFamily, networkScript: '/run.sh', firstbootScript: '/boot.sh' }), ['--firstboot', '/boot.sh']);
    }
  });

  it('multi-disk: -i libvirtxml; without inline customize the scripts go to virt-customize on every disk', () => {
    const o: ConversionOptions = {
      input: { kind: 'libvirtxml', path: '/tmp/vm-Ab3dE9xZ-domain.xml', disks: ['/dev/vdb', '/dev/vdc'] },
      guestFamily: 'linux',
      networkScript: '/run.sh',
      firstbootScript: '/boot.sh',
      extraOptions: ['--verbose'],
    };
    assert.deepEqual(virtV2vInPlaceArgs(o), ['--run', '/run.sh', '--firstboot', '/boot.sh', '--verbose', '-i', 'libvirtxml', '/tmp/vm-Ab3dE9xZ-domain.xml']);
    assert.deepEqual(virtV2vInPlaceArgs(o, false), ['--verbose', '-i', 'libvirtxml', '/tmp/vm-Ab3dE9xZ-domain.xml']);
    assert.deepEqual(virtCustomizeArgs(o), ['--format', 'raw', '-a', '/dev/vdb', '--format', 'raw', '-a', '/dev/vdc', '--run', '/run.sh', '--firstboot', '/boot.sh']);
  });

  it('environment: direct backend always, libguestfs debug and trace only with debug', () => {
    const base = { PATH: '/usr/bin', LIBGUESTFS_BACKEND: 'libvirt', LIBGUESTFS_DEBUG: '1', LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' };
    assert.deepEqual(conversionEnv(false, base), { PATH: '/usr/bin', LIBGUESTFS_BACKEND: 'direct', LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' });
    assert.deepEqual(conversionEnv(true, base), { ...base, LIBGUESTFS_BACKEND: 'direct', LIBGUESTFS_DEBUG: '1', LIBGUESTFS_TRACE: '1' });
  });

  it('detects customize support from the installed virt-v2v-in-place --help', async () => {
    const help = execFileSync('virt-v2v-in-place', ['--help'], { encoding: 'utf8' });
    assert.match(help, /-i <disk\|libvirt\|libvirtxml/);
    assert.equal(await supportsCustomizeOptions('virt-v2v-in-place'), /--firstboot/.test(help));
  });
});

describe('running the conversion (recording stand-ins for virt-v2v-in-place / virt-customize)', () => {
  const dir = mkdtempSync('/var/tmp/osm-test-v2v-');
  const record = join(dir, 'calls.log');
  const diskFile = join(dir, 'disk.raw');
  const script = join(dir, 'network_config.sh');
  const stand = (name: string, help: string): string => {
    const p = join(dir, name);
    writeFileSync(
      p,
      `#!/bin/sh\nif [ "$1" = --help ]; then echo '${help}'; exit 0; fi\n` +
        `echo "${name} $* backend=$LIBGUESTFS_BACKEND debug=$LIBGUESTFS_DEBUG trace=$LIBGUESTFS_TRACE" >> ${record}\n` +
        `echo "[   0.0] Setting up the source"\necho "warning: on stderr" >&2\n` +
        `if [ -n "$FAKE_SLEEP" ]; then sleep "$FAKE_SLEEP"; fi\nexit \${FAKE_EXIT:-0}\n`,
    );
    chmodSync(p, 0o755);
    return p;
  };
  let inline: string;
  let noCustomize: string;
  let customize: string;
  before(() => {
    writeFileSync(diskFile, '');
    writeFileSync(script, '#!/bin/sh\n');
    inline = stand('v2v-inline', '--run <script> --firstboot <script>');
    noCustomize = stand('v2v-2.2', '-i <disk|libvirt|libvirtxml>');
    customize = stand('virt-customize', '');
    process.env.PATH = `${dir}:${process.env.PATH}`;
  });
  after(() => {
    process.env.PATH = process.env.PATH!.split(':').filter((p) => p !== dir).join(':');
    delete process.env.FAKE_EXIT;
    delete process.env.FAKE_SLEEP;
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs one command with inline scripts and logs every output line with its stream', async () => {
    writeFileSync(record, '');
    const lines: string[] = [];
    const r = await convertInPlace({ input: { kind: 'disk', path: diskFile }, guestFamily: 'linux', networkScript: script, debug: true, virtV2vInPlace: 'v2v-inline', onLine: (l) => lines.push(l) });
    assert.equal(r.commands.length, 1);
    assert.deepEqual(r.commands[0], [inline, '--run', script, '-i', 'disk', '-if', 'raw', diskFile]);
    assert.equal(readFileSync(record, 'utf8'), `v2v-inline --run ${script} -i disk -if raw ${diskFile} backend=direct debug=1 trace=1\n`);
    assert.deepEqual(lines, ['[virt-v2v stdout] [   0.0] Setting up the source', '[virt-v2v stderr] warning: on stderr']);
  });

  it('falls back to virt-customize after a virt-v2v without customize options', async () => {
    writeFileSync(record, '');
    const r = await convertInPlace({ input: { kind: 'disk', path: diskFile }, guestFamily: 'linux', networkScript: script, virtV2vInPlace: 'v2v-2.2' });
    assert.deepEqual(r.commands, [
      [noCustomize, '-i', 'disk', '-if', 'raw', diskFile],
      [customize, '--format', 'raw', '-a', diskFile, '--run', script],
    ]);
    assert.equal(readFileSync(record, 'utf8').split('\n').filter(Boolean).length, 2);
  });

  it('fails with the exit code and the last output lines', async () => {
    process.env.FAKE_EXIT = '3';
    try {
      await assert.rejects(convertInPlace({ input: { kind: 'disk', path: diskFile }, guestFamily: 'windows', virtV2vInPlace: 'v2v-inline' }), /virt-v2v failed \(exit code 3\): .*Setting up the source/);
    } finally {
      delete process.env.FAKE_EXIT;
    }
  });

  it('an abort kills the conversion', async () => {
    process.env.FAKE_SLEEP = '30';
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop now')), 300);
    const t0 = Date.now();
    try {
      await assert.rejects(convertInPlace({ input: { kind: 'disk', path: diskFile }, guestFamily: 'other', virtV2vInPlace: 'v2v-inline', signal: ac.signal }), /stop now/);
      assert.ok(Date.now() - t0 < 5000);
    } finally {
      delete process.env.FAKE_SLEEP;
    }
  });

  it('says what to install when virt-v2v-in-place is missing, and which script is missing', async () => {
    await assert.rejects(convertInPlace({ ...disk, virtV2vInPlace: 'no-such-virt-v2v-in-place' }), /no-such-virt-v2v-in-place not found in PATH: install virt-v2v/);
    await assert.rejects(
      convertInPlace({ input: { kind: 'disk', path: diskFile }, guestFamily: 'linux', networkScript: join(dir, 'missing.sh'), virtV2vInPlace: 'v2v-inline' }),
      /network script \(--run\) .*missing\.sh is not readable \(ENOENT\)/,
    );
    await assert.rejects(
      convertInPlace({ input: { kind: 'disk', path: diskFile }, guestFamily: 'linux', firstbootScript: join(dir, 'nofb.sh'), virtV2vInPlace: 'v2v-inline' }),
      /firstboot script .*nofb\.sh is not readable/,
    );
  });
});
