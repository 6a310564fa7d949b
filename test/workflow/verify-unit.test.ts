/**
 * The verification checks on facts built by hand (no lab): attachment order, a detached or missing volume, volumes
 * left on another server, the source's power expectation, and TCP checks against real loopback sockets.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import type { Session } from '../../src/openstack/auth.js';
import type { Port } from '../../src/openstack/network.js';
import type { Server } from '../../src/openstack/servers.js';
import type { Volume } from '../../src/openstack/volume.js';
import type { VmDetail, VmDisk } from '../../src/vmware/vm.js';
import { guestChecks } from '../../src/workflow/verify-guest.js';
import { type VerifyFacts, type VerifyRequest, expectedSourcePower } from '../../src/workflow/verify-request.js';
import { sourceChecks } from '../../src/workflow/verify-source.js';
import { volumeChecks } from '../../src/workflow/verify-volumes.js';

const SERVER = 'server-1';
const disk = (key: number) => ({ key }) as VmDisk;
const volume = (id: string, attachedTo: string[] = [SERVER], converted = 'true') =>
  ({ id, name: id, status: 'in-use', metadata: { converted }, attachments: attachedTo.map((server_id) => ({ server_id })) }) as unknown as Volume;

function facts(over: Partial<VerifyFacts> = {}, req: Partial<VerifyRequest> = {}): VerifyFacts {
  return {
    req: {
      final: true,
      expect: { server: true, ports: true },
      sourcePower: 'untouched',
      guest: { consolePattern: undefined, tcpPorts: [], timeoutMs: 1000 },
      ...req,
    } as VerifyRequest,
    os: {} as Session,
    vm: { name: 'vm', powerState: 'poweredOn', snapshots: [] } as unknown as VmDetail,
    volumes: [
      { disk: disk(2000), volume: volume('vol-a') },
      { disk: disk(2001), volume: volume('vol-b') },
      { disk: disk(2002), volume: volume('vol-c') },
    ],
    server: { id: SERVER, name: 'vm', status: 'ACTIVE' } as Server,
    attachments: [
      { id: 'vol-a', volumeId: 'vol-a', serverId: SERVER, device: '/dev/vda' },
      { id: 'vol-b', volumeId: 'vol-b', serverId: SERVER, device: '/dev/vdb' },
      { id: 'vol-c', volumeId: 'vol-c', serverId: SERVER, device: '/dev/vdc' },
    ],
    nics: [],
    ports: [],
    ...over,
  };
}

const failed = (checks: { id: string; passed: boolean | null }[]) => checks.filter((c) => c.passed === false).map((c) => c.id);

describe('volume checks', () => {
  it('all attached in disk order passes; converted expected only when final', () => {
    assert.deepEqual(failed(volumeChecks(facts())), []);
    const pre = volumeChecks(facts({ volumes: [{ disk: disk(2000), volume: volume('vol-a', [], 'false') }], attachments: [], server: undefined }, { final: false }));
    assert.deepEqual(failed(pre), []);
    assert.deepEqual(pre.map((c) => c.id), ['volume.converted.2000', 'volumes.not_attached_elsewhere']);
  });

  it('two data disks swapped: volumes.order only (the boot disk is right)', () => {
    const f = facts();
    f.attachments[1]!.device = '/dev/vdc';
    f.attachments[2]!.device = '/dev/vdb';
    assert.deepEqual(failed(volumeChecks(f)), ['volumes.order']);
  });

  it('devices sort as the guest sees them (vdz before vdaa)', () => {
    const many = Array.from({ length: 28 }, (_, i) => i);
    const name = (i: number) => `/dev/vd${i < 26 ? String.fromCharCode(97 + i) : `a${String.fromCharCode(97 + i - 26)}`}`;
    const f = facts({
      volumes: many.map((i) => ({ disk: disk(2000 + i), volume: volume(`vol-${i}`) })),
      attachments: [...many].reverse().map((i) => ({ id: `vol-${i}`, volumeId: `vol-${i}`, serverId: SERVER, device: name(i) })),
    });
    assert.deepEqual(failed(volumeChecks(f)), []);
  });

  it('a detached data disk fails only its attachment check; order holds among the rest', () => {
    const f = facts({ attachments: facts().attachments.filter((a) => a.volumeId !== 'vol-b') });
    assert.deepEqual(failed(volumeChecks(f)), ['volume.attached.2001']);
  });

  it('a disk without a volume fails its converted check and its attachment cannot be checked', () => {
    const f = facts();
    f.volumes[2] = { disk: disk(2002), volume: undefined };
    f.attachments.pop();
    const checks = volumeChecks(f);
    assert.deepEqual(failed(checks), ['volume.converted.2002']);
    assert.equal(checks.find((c) => c.id === 'volume.attached.2002')?.passed, null);
  });

  it('a volume also attached to the conversion host fails volumes.not_attached_elsewhere', () => {
    const f = facts();
    f.volumes[1] = { disk: disk(2001), volume: volume('vol-b', [SERVER, 'conversion-host']) };
    const c = volumeChecks(f).find((x) => x.id === 'volumes.not_attached_elsewhere')!;
    assert.equal(c.passed, false);
    assert.deepEqual(c.observed, ['vol-b on conversion-host']);
  });
});

describe('source power expectation', () => {
  it('off after a cutover or a final migration with conversion; untouched after a pre-sync or without conversion', () => {
    const m = (cbtSync: boolean, cutover: boolean, skipConversion: boolean) => expectedSourcePower({ cbtSync, cutover, skipConversion });
    assert.equal(m(false, false, false), 'poweredOff');
    assert.equal(m(true, true, true), 'poweredOff');
    assert.equal(m(true, false, false), 'untouched');
    assert.equal(m(false, false, true), 'untouched');
    assert.equal(expectedSourcePower({ cbtSync: false, cutover: false, skipConversion: false }, 'poweredOn'), 'poweredOn');
  });

  it('untouched: running passes; off cannot be judged (null), never passed', () => {
    const on = sourceChecks(facts()).find((c) => c.id === 'source.power_state')!;
    assert.equal(on.passed, true);
    const off = sourceChecks(facts({ vm: { name: 'vm', powerState: 'poweredOff', snapshots: [] } as unknown as VmDetail })).find((c) => c.id === 'source.power_state')!;
    assert.equal(off.passed, null);
    assert.match(off.message, /set verify_source_power_state/);
  });
});

describe('guest TCP checks (loopback sockets)', () => {
  const port = (ip: string) => [[{ id: 'p', device_id: SERVER, fixed_ips: [{ subnet_id: 's', ip_address: ip }] } as unknown as Port]];

  it('an open port passes, a closed one fails with the reason', async () => {
    const listener = createServer((c) => c.end());
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const open = (listener.address() as { port: number }).port;
    const closedServer = createServer();
    await new Promise<void>((r) => closedServer.listen(0, '127.0.0.1', r));
    const closed = (closedServer.address() as { port: number }).port;
    await new Promise<void>((r) => closedServer.close(() => r()));
    try {
      const checks = await guestChecks(facts({ ports: port('127.0.0.1') }, { guest: { consolePattern: undefined, tcpPorts: [open, closed], timeoutMs: 1500 } }), new AbortController().signal);
      assert.deepEqual(checks.map((c) => [c.id, c.passed, c.observed]), [
        [`guest.tcp.${open}`, true, 'connected'],
        [`guest.tcp.${closed}`, false, 'ECONNREFUSED'],
      ]);
    } finally {
      await new Promise<void>((r) => listener.close(() => r()));
    }
  });

  it('without a port plugged into the server, the TCP check cannot run', async () => {
    const [c] = await guestChecks(facts({ ports: [] }, { guest: { consolePattern: undefined, tcpPorts: [22], timeoutMs: 1000 } }), new AbortController().signal);
    assert.equal(c!.passed, null);
  });
});
