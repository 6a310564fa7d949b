/**
 * verify_migration against the lab: a two-disk VM migrated with verify passes every check; then each tamper (a
 * detached volume, a port with another MAC, a stopped server, changed bytes in a volume file, swapped attachment
 * order, a left-over tool snapshot, an unexpected source power state) is reported by exactly the check it concerns,
 * and after the restore verification passes again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, readSync, writeSync, closeSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/openstack/auth.js';
import { computeHeaders } from '../../src/openstack/compute-microversion.js';
import { attachInterface, detachInterface } from '../helpers/nova-interfaces.js';
import { createPort, deletePort, findNetwork, findSecurityGroup, listPorts } from '../../src/openstack/network.js';
import { createServer, deleteServer, findServersByName, getServer, waitForServerGone, waitForServerStatus } from '../../src/openstack/servers.js';
import { attachVolumeToServer, detachVolumeFromServer } from '../../src/openstack/volume-attachments.js';
import { safeVmName } from '../../src/util/names.js';
import { SNAPSHOT_NAME, createSnapshot, removeSnapshot } from '../../src/vmware/snapshots.js';
import { type ImportWorkloadsOutcome, type ImportWorkloadsRequest, importWorkload } from '../../src/workflow/import-workloads.js';
import { failedChecks, verifyVm } from '../../src/workflow/verify.js';
import type { VerifyRequest, VmVerification } from '../../src/workflow/verify-request.js';
import { deleteToolPort } from '../../src/workflow/teardown.js';
import { deleteVmVolumes, ensurePoweredOn, openstack, request, testLogger, vmFacts, vsphere, withOpenstack, withVsphere } from './migrate-lab.js';

const VM = 'osm-multidisk';
const NET = 'frontier-net';
const SG = 'osm-sg';
const WAIT = { timeoutMs: 120_000, intervalMs: 500 };
const signal = new AbortController().signal;

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'osm-verify-'));
  const f = vmFacts(VM);
  mkdirSync(join(dir, VM));
  const flavor = (openstack() as unknown as { flavors: Record<string, string> }).flavors['m1.tiny']!;
  writeFileSync(join(dir, VM, 'import_workloads.json'), JSON.stringify({ vm_name: VM, openstack: { flavor_name_or_uuid: flavor }, vmware_guest_info: { hw_folder: f.folder } }));
  writeFileSync(join(dir, VM, 'macs.json'), JSON.stringify(f.nics.map((n) => ({ mac: n.mac, ipaddresses: [], subnet: '' }))));
  return dir;
}

async function removePortsOf(s: Session): Promise<void> {
  for (const nic of vmFacts(VM).nics) {
    for (const p of await listPorts(s, { mac_address: nic.mac })) await deleteToolPort(s, { name: p.id, wait: true, waitOpts: WAIT, checkMode: false });
  }
}

describe('verify_migration against the lab (osm-multidisk: two disks, one NIC)', () => {
  const dir = dataDir();
  const v = vsphere();
  let migrated: ImportWorkloadsOutcome;
  const importReq = (): ImportWorkloadsRequest => {
    const { vmName: _n, folder: _f, ...migrate } = request(VM, { source: { ...request(VM).source, kind: 'https' }, instanceUuid: openstack().conversion_host.uuid, verify: true });
    return {
      dataDir: dir,
      migrate,
      ports: { create: true, usedMappedNetworks: false, networkName: NET, securityGroups: [SG], useFixedIps: false, subnet: undefined },
      server: { create: true, keyName: undefined, availabilityZone: undefined, userData: undefined, bootFromCinder: false, timeoutMs: 300_000, heat: { enabled: false, autoDeploy: true } },
      teardown: { enabled: false, server: false, volumes: false, ports: false, upstreamNames: false },
      rollbackOnFailure: false,
    };
  };
  const migrate = () => importWorkload(VM, importReq(), { log: testLogger(), signal, checkMode: false });
  const verifyReq = (over: Partial<VerifyRequest> = {}): VerifyRequest => ({
    vmware: { host: `${v.host}:${v.port}`, username: v.user, password: v.password, caFile: v.cert_path },
    cloud: request(VM).cloud,
    vmName: VM,
    dataDir: dir,
    ports: { usedMappedNetworks: false, networkName: NET, securityGroups: [SG], useFixedIps: false },
    final: true,
    expect: { server: true, ports: true },
    sourcePower: 'untouched',
    checksums: { enabled: true, volumeDir: openstack().cinder_volumes_dir, byIdDir: openstack().by_id_dir },
    guest: { consolePattern: undefined, tcpPorts: [], timeoutMs: 5000 },
    ...over,
  });
  const verify = (over: Partial<VerifyRequest> = {}) => verifyVm(verifyReq(over), { log: testLogger(), signal });
  const failedIds = (r: VmVerification) => r.checks.filter((c) => c.passed === false).map((c) => c.id);
  const assertAllPass = (r: VmVerification) => {
    assert.deepEqual(failedChecks(r), []);
    assert.deepEqual(r.checks.filter((c) => c.passed !== true).map((c) => `${c.id}: ${c.message}`), []);
    assert.equal(r.passed, true);
  };
  const serverId = () => migrated.server!.id!;
  const volumeOf = (key: number) => migrated.migration.disks.find((d) => d.key === key)!.volume_id;

  before(async () => {
    await ensurePoweredOn(VM);
    await deleteVmVolumes(VM);
    await withOpenstack(removePortsOf);
    migrated = await migrate();
    assert.ok(migrated.server?.id, migrated.msg);
  });

  after(async () => {
    await deleteVmVolumes(VM);
    await withOpenstack(removePortsOf);
  });

  it('passes every check after the migration, with the SHA-256 the copy recorded', async () => {
    const r = await verify();
    assertAllPass(r);
    const ids = r.checks.map((c) => c.id);
    for (const id of ['server.active', 'flavor.vcpus', 'flavor.ram_mb', 'volume.converted.2000', 'volume.converted.2001', 'volume.attached.2000', 'volume.attached.2001',
      'volumes.order', 'volumes.not_attached_elsewhere', 'nic.port.0', 'nic.security_groups.0', 'source.no_tool_snapshot', 'source.power_state', 'volume.sha256.2000', 'volume.sha256.2001']) {
      assert.ok(ids.includes(id), `no check ${id}`);
    }
    for (const d of vmFacts(VM).disks) {
      const c = r.checks.find((x) => x.id === `volume.sha256.${d.key}`)!;
      assert.equal(c.expected, d.sha256, 'the recorded SHA-256 is the source disk\'s');
    }
  });

  it('measures the time verification adds per VM, with and without checksums (interleaved; shared machine)', async (t) => {
    const times: Record<string, number[]> = { with: [], without: [] };
    for (let i = 0; i < 3; i++) {
      for (const kind of ['without', 'with'] as const) {
        const r = await verify({ checksums: { ...verifyReq().checksums, enabled: kind === 'with' } });
        assert.equal(r.passed, true);
        times[kind]!.push(r.duration_seconds);
      }
    }
    t.diagnostic(`verification seconds per VM (2 disks, 96+64 MiB): without checksums ${times.without!.join(', ')}; with ${times.with!.join(', ')}`);
  });

  it('a volume without a recorded SHA-256, or unreadable here, is reported as not checked, never as passed', async () => {
    const r = await verify({ checksums: { enabled: true, volumeDir: undefined, byIdDir: mkdtempSync(join(tmpdir(), 'osm-byid-')) } });
    const sha = r.checks.filter((c) => c.id.startsWith('volume.sha256.'));
    assert.equal(sha.length, 2);
    for (const c of sha) {
      assert.equal(c.passed, null);
      assert.match(c.message, /not readable here/);
    }
    assert.equal(r.passed, true);
  });

  it('a detached volume: volume.attached.2001 only; reattached, it passes', async () => {
    await withOpenstack((s) => detachVolumeFromServer(s, serverId(), volumeOf(2001), WAIT));
    assert.deepEqual(failedIds(await verify()), ['volume.attached.2001']);
    await withOpenstack((s) => attachVolumeToServer(s, serverId(), volumeOf(2001), WAIT));
    assertAllPass(await verify());
  });

  it('the port replaced by one with another MAC: nic.port.0 only; restored, it passes', async () => {
    const mac = vmFacts(VM).nics[0]!.mac;
    await withOpenstack(async (s) => {
      const [port] = await listPorts(s, { mac_address: mac });
      await detachInterface(s, serverId(), port!.id);
      await waitForPortUnplugged(s, port!.id);
      await deletePort(s, port!.id);
      const net = await findNetwork(s, NET);
      const sg = await findSecurityGroup(s, SG, s.projectId);
      const other = await createPort(s, { name: 'osm-verify-test-other-mac', networkId: net.id, macAddress: 'fa:16:3e:00:99:01', securityGroups: [sg.id] });
      await attachInterface(s, serverId(), other.id);
    });
    const r = await verify();
    assert.deepEqual(failedIds(r), ['nic.port.0']);
    assert.equal(r.checks.find((c) => c.id === 'nic.security_groups.0')?.passed, null);
    await withOpenstack(async (s) => {
      const [other] = await listPorts(s, { mac_address: 'fa:16:3e:00:99:01' });
      await detachInterface(s, serverId(), other!.id);
      await waitForPortUnplugged(s, other!.id);
      await deletePort(s, other!.id);
    });
    migrated = await migrate();
    const port = migrated.ports[0]!;
    assert.equal(port.action, 'created');
    await withOpenstack((s) => attachInterface(s, serverId(), port.id!));
    assertAllPass(await verify());
  });

  it('a stopped server: server.active only; started, it passes', async () => {
    await withOpenstack(async (s) => {
      await s.request('compute', 'stop server', 'POST', `/servers/${serverId()}/action`, { headers: computeHeaders, body: { 'os-stop': null } });
      await waitForServerStatus(s, serverId(), 'SHUTOFF', WAIT);
    });
    const r = await verify();
    assert.deepEqual(failedIds(r), ['server.active']);
    assert.equal(r.checks.find((c) => c.id === 'server.active')?.observed, 'SHUTOFF');
    await withOpenstack(async (s) => {
      await s.request('compute', 'start server', 'POST', `/servers/${serverId()}/action`, { headers: computeHeaders, body: { 'os-start': null } });
      await waitForServerStatus(s, serverId(), 'ACTIVE', WAIT);
    });
    assertAllPass(await verify());
  });

  it('changed bytes in a volume file: volume.sha256.2000 only; the byte put back, it passes', async () => {
    const file = join(openstack().cinder_volumes_dir, `volume-${volumeOf(2000)}`);
    const fd = openSync(file, 'r+');
    const old = Buffer.alloc(1);
    try {
      readSync(fd, old, 0, 1, 4096);
      writeSync(fd, Buffer.from([old[0]! ^ 0xff]), 0, 1, 4096);
    } finally {
      closeSync(fd);
    }
    try {
      const r = await verify();
      assert.deepEqual(failedIds(r), ['volume.sha256.2000']);
    } finally {
      const back = openSync(file, 'r+');
      writeSync(back, old, 0, 1, 4096);
      closeSync(back);
    }
    assertAllPass(await verify());
    // Without verify_checksums the volumes are not read: the same tamper goes unseen (documented).
  });

  it('swapped attachment order (disk 2001 as the boot device): volumes.order only; rebuilt, it passes', async () => {
    await withOpenstack(async (s) => {
      const server = (await getServer(s, serverId()))!;
      const [port] = await listPorts(s, { mac_address: vmFacts(VM).nics[0]!.mac });
      await deleteServer(s, server.id);
      await waitForServerGone(s, server.id, WAIT);
      const { id } = await createServer(s, {
        name: safeVmName(VM),
        flavorRef: (openstack() as unknown as { flavors: Record<string, string> }).flavors['m1.tiny']!,
        networks: [{ port: port!.id }],
        blockDevices: [
          { volumeId: volumeOf(2001), bootIndex: 0 },
          { volumeId: volumeOf(2000), bootIndex: 1 },
        ],
        securityGroups: [SG],
        metadata: { osm: 'true' },
      });
      await waitForServerStatus(s, id, 'ACTIVE', WAIT);
    });
    const r = await verify();
    assert.deepEqual(failedIds(r), ['volumes.order']);
    assert.match(r.checks.find((c) => c.id === 'volumes.order')!.message, /boot must be disk 2000/);
    await withOpenstack(async (s) => {
      const [swapped] = await findServersByName(s, safeVmName(VM));
      await deleteServer(s, swapped!.id);
      await waitForServerGone(s, swapped!.id, WAIT);
    });
    migrated = await migrate();
    assertAllPass(await verify());
  });

  it('a tool snapshot left on the source: source.no_tool_snapshot only; removed, it passes', async () => {
    const snap = await withVsphere((vs) => createSnapshot(vs, { type: 'VirtualMachine', value: vmFacts(VM).moid }, SNAPSHOT_NAME));
    try {
      assert.deepEqual(failedIds(await verify()), ['source.no_tool_snapshot']);
    } finally {
      await withVsphere((vs) => removeSnapshot(vs, snap));
    }
    assertAllPass(await verify());
  });

  it('the source running where it should be off: source.power_state only', async () => {
    const r = await verify({ sourcePower: 'poweredOff' });
    assert.deepEqual(failedIds(r), ['source.power_state']);
    assert.equal(r.checks.find((c) => c.id === 'source.power_state')?.observed, 'poweredOn');
  });

  // TCP checks are tested on loopback (verify-unit.test.ts): this machine's network accepts every outgoing connection.
  it('console pattern: a match passes, a miss fails guest.console only', async () => {
    // The lab's Nova runs the fake driver, whose console log is a fixed text.
    const ok = await verify({ guest: { consolePattern: 'FAKE CONSOLE', tcpPorts: [], timeoutMs: 1000 } });
    assertAllPass(ok);
    const miss = await verify({ guest: { consolePattern: 'login:', tcpPorts: [], timeoutMs: 1000 } });
    assert.deepEqual(failedIds(miss), ['guest.console']);
    assert.match(miss.checks.find((c) => c.id === 'guest.console')!.message, /did not match within 1 s; last lines: FAKE CONSOLE OUTPUT/);
  });
});

async function waitForPortUnplugged(s: Session, id: string): Promise<void> {
  const deadline = Date.now() + WAIT.timeoutMs;
  for (;;) {
    const [p] = (await listPorts(s, { id })) ?? [];
    if (!p?.device_id) return;
    if (Date.now() > deadline) throw new Error(`port ${id} still plugged into ${p.device_id}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
