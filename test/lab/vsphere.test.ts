// The lab's vCenter simulator, checked with raw HTTPS and XML strings (no product code):
// authentication, the inventory, real disk bytes over the datastore endpoint and SSH, and CBT.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const labDir = process.env.OSM_LAB_DIR ?? '/var/lib/osm-lab';
const factsPath = join(labDir, 'vsphere.json');
const diskWriteCommand = fileURLToPath(new URL('../../../lab/vsphere/disk-write', import.meta.url));
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

interface DiskFacts {
  key: number;
  datastore: string;
  file_name: string;
  flat_path: string;
  capacity_bytes: number;
  sha256?: string;
}
interface VmFacts {
  name: string;
  moid: string;
  folder: string;
  guest_id: string;
  firmware: string;
  disks: DiskFacts[];
  nics: { key: number; mac: string; ip: string; network: string; portgroup_key?: string }[];
}
interface Facts {
  host: string;
  port: number;
  user: string;
  password: string;
  thumbprint: string;
  cert_path: string;
  datastores: Record<string, string>;
  ssh: { host: string; port: number; user: string; key_path: string; vmfs_root: string; known_hosts_path: string };
  cbt: { block_size: number; window: number };
  vms: VmFacts[];
  base_vms: VmFacts[];
}

function loadFacts(): Facts {
  if (!existsSync(factsPath)) {
    throw new Error(`the vSphere lab is not up: ${factsPath} is missing; run lab/up (or lab/vsphere/up) first`);
  }
  return JSON.parse(readFileSync(factsPath, 'utf8')) as Facts;
}

interface Reply {
  status: number;
  xml: string;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function xmlUnescape(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** First text of <tag>...</tag> in xml (unescaped), or undefined. */
function text(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`).exec(xml);
  return m?.[1] === undefined ? undefined : xmlUnescape(m[1]);
}

function all(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`, 'g'))].map((m) => xmlUnescape(m[1] ?? ''));
}

/** A vim25 SOAP session over HTTPS, trusting only the lab's certificate. */
class Vim {
  private cookie: string | undefined;
  constructor(private readonly facts: Facts) {}

  call(body: string): Promise<Reply> {
    const envelope =
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>' + body + '</soapenv:Body></soapenv:Envelope>';
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.facts.host,
          port: this.facts.port,
          path: '/sdk',
          method: 'POST',
          ca: readFileSync(this.facts.cert_path),
          agent: false,
          headers: {
            'Content-Type': 'text/xml; charset=utf-8',
            SOAPAction: 'urn:vim25/7.0',
            ...(this.cookie ? { Cookie: this.cookie } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const set = res.headers['set-cookie']?.[0];
            if (set) this.cookie = set.split(';')[0];
            resolve({ status: res.statusCode ?? 0, xml: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      req.on('error', (err) =>
        reject(new Error(`the vSphere lab at ${this.facts.host}:${this.facts.port} does not answer (${err.message}); see lab/vsphere/status`)),
      );
      req.end(envelope);
    });
  }

  async ok(body: string): Promise<string> {
    const r = await this.call(body);
    assert.equal(r.status, 200, `SOAP call failed: ${text(r.xml, 'faultstring') ?? r.xml.slice(0, 500)}`);
    return r.xml;
  }

  login(password: string): Promise<Reply> {
    return this.call(
      `<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>${xmlEscape(this.facts.user)}</userName>` +
        `<password>${xmlEscape(password)}</password></Login>`,
    );
  }

  currentTime(): Promise<Reply> {
    return this.call('<CurrentTime xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></CurrentTime>');
  }

  /** Properties of one object, as the raw RetrievePropertiesEx reply. */
  properties(type: string, moid: string, paths: string[]): Promise<string> {
    return this.ok(
      `<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet>` +
        `<propSet><type>${type}</type>${paths.map((p) => `<pathSet>${p}</pathSet>`).join('')}</propSet>` +
        `<objectSet><obj type="${type}">${moid}</obj></objectSet></specSet><options/></RetrievePropertiesEx>`,
    );
  }

  /** Runs a *_Task method and waits for its end; returns the task's info XML. */
  async task(body: string): Promise<string> {
    const xml = await this.ok(body);
    const task = /<returnval type="Task">([^<]+)<\/returnval>/.exec(xml)?.[1];
    assert.ok(task, `no task in reply: ${xml.slice(0, 300)}`);
    for (let i = 0; i < 100; i++) {
      const info = await this.properties('Task', task, ['info']);
      const state = text(info, 'state');
      if (state === 'success') return info;
      if (state === 'error') assert.fail(`task ${task} failed: ${info.slice(0, 800)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return assert.fail(`task ${task} did not finish`);
  }
}

interface ListedVm {
  moid: string;
  name: string;
  powerState: string;
  numCPU: number;
  memoryMB: number;
  guestId: string;
  firmware: string;
  disks: { key: number; capacity: number; fileName: string }[];
  macs: string[];
  pciSlots: number[];
  guestIps: string[];
}

/** Every VM of the inventory through a container view, as one RetrievePropertiesEx. */
async function listVms(vim: Vim): Promise<ListedVm[]> {
  const content = await vim.ok('<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>');
  const root = text(content, 'rootFolder');
  const viewManager = text(content, 'viewManager');
  assert.ok(root && viewManager, 'service content names the root folder and view manager');
  const view = text(
    await vim.ok(
      `<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">${viewManager}</_this>` +
        `<container type="Folder">${root}</container><type>VirtualMachine</type><recursive>true</recursive></CreateContainerView>`,
    ),
    'returnval',
  );
  assert.ok(view, 'CreateContainerView returned a view');
  const paths = ['name', 'runtime.powerState', 'config.hardware.numCPU', 'config.hardware.memoryMB', 'config.guestId', 'config.firmware', 'config.hardware.device', 'guest.net'];
  const xml = await vim.ok(
    '<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet>' +
      `<propSet><type>VirtualMachine</type>${paths.map((p) => `<pathSet>${p}</pathSet>`).join('')}</propSet>` +
      `<objectSet><obj type="ContainerView">${view}</obj><skip>true</skip><selectSet xsi:type="TraversalSpec">` +
      '<name>view</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet>' +
      '</specSet><options/></RetrievePropertiesEx>',
  );
  await vim.ok(`<DestroyView xmlns="urn:vim25"><_this type="ContainerView">${view}</_this></DestroyView>`);
  return xml
    .split('<objects>')
    .slice(1)
    .map((obj) => {
      const prop = (name: string): string => {
        const m = new RegExp(`<propSet><name>${name.replace(/\./g, '\\.')}</name>([\\s\\S]*?)</propSet>`).exec(obj);
        return m?.[1] ?? '';
      };
      const devices = prop('config.hardware.device');
      const disks = [...devices.matchAll(/<VirtualDevice [\w-]+:type="VirtualDisk">([\s\S]*?)<\/VirtualDevice>/g)].map((m) => ({
        key: Number(text(m[1] ?? '', 'key')),
        capacity: Number(text(m[1] ?? '', 'capacityInBytes')),
        fileName: text(m[1] ?? '', 'fileName') ?? '',
      }));
      return {
        moid: text(obj, 'obj') ?? '',
        name: text(prop('name'), 'val') ?? '',
        powerState: text(prop('runtime.powerState'), 'val') ?? '',
        numCPU: Number(text(prop('config.hardware.numCPU'), 'val')),
        memoryMB: Number(text(prop('config.hardware.memoryMB'), 'val')),
        guestId: text(prop('config.guestId'), 'val') ?? '',
        firmware: text(prop('config.firmware'), 'val') ?? '',
        disks,
        macs: all(devices, 'macAddress'),
        pciSlots: all(devices, 'pciSlotNumber').map(Number),
        guestIps: all(prop('guest.net'), 'ipAddress'),
      };
    });
}

function baseVmNames(): string[] {
  const names: string[] = [];
  for (const prefix of ['DC0_H0', 'DC0_C0_RP0', 'DC0_C1_RP0']) {
    for (let i = 0; i < 10; i++) names.push(`${prefix}_VM${i}`);
  }
  return names;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function httpsGet(facts: Facts, path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: facts.host, port: facts.port, path, method: 'GET', ca: readFileSync(facts.cert_path), agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('vSphere lab: authentication', () => {
  it('refuses a wrong password and keeps the caller unauthenticated', async () => {
    const vim = new Vim(loadFacts());
    const refused = await vim.login('not-the-password');
    assert.equal(refused.status, 500);
    assert.match(refused.xml, /InvalidLogin/);
    const after = await vim.currentTime();
    assert.equal(after.status, 500);
    assert.match(after.xml, /NotAuthenticated/);
  });

  it('accepts the right password and serves calls in that session', async () => {
    const facts = loadFacts();
    const vim = new Vim(facts);
    const accepted = await vim.login(facts.password);
    assert.equal(accepted.status, 200, text(accepted.xml, 'faultstring'));
    assert.equal(text(accepted.xml, 'userName'), facts.user);
    assert.equal((await vim.currentTime()).status, 200);
  });

  it('presents the certificate whose SHA-1 thumbprint the facts give', () => {
    const facts = loadFacts();
    const der = Buffer.from(readFileSync(facts.cert_path, 'utf8').replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    const thumb = createHash('sha1').update(der).digest('hex').toUpperCase().match(/../g)?.join(':');
    assert.equal(thumb, facts.thumbprint);
  });
});

describe('vSphere lab: inventory', () => {
  let facts: Facts;
  let vms: ListedVm[];
  before(async () => {
    facts = loadFacts();
    const vim = new Vim(facts);
    await vim.ok(
      `<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>${facts.user}</userName><password>${facts.password}</password></Login>`,
    );
    vms = await listVms(vim);
  });

  it('lists the 30 standard VMs and the test VMs, all powered on', () => {
    const expected = [...baseVmNames(), 'osm-single', 'osm-multidisk', 'osm-multinic', 'osm ñame é spaces', 'osm-efi', 'osm-windows', 'osm-debian-guest', 'osm-independent', 'osm-snapshot'];
    assert.deepEqual(vms.map((v) => v.name).sort(), expected.sort());
    assert.deepEqual(facts.vms.map((v) => v.name).sort(), expected.slice(30).sort());
    for (const vm of vms) assert.equal(vm.powerState, 'poweredOn', vm.name);
  });

  it('gives every standard VM 1 vCPU, 32 MB, one 10 GiB disk with key 2000, one NIC and a guest IP', () => {
    for (const vm of vms.filter((v) => baseVmNames().includes(v.name))) {
      assert.equal(vm.numCPU, 1, vm.name);
      assert.equal(vm.memoryMB, 32, vm.name);
      assert.deepEqual(vm.disks.map((d) => [d.key, d.capacity]), [[2000, 10 * GiB]], vm.name);
      assert.equal(vm.macs.length, 1, vm.name);
      assert.equal(vm.guestIps.length, 1, vm.name);
    }
  });

  it('gives every NIC of the inventory its own MAC address', () => {
    const macs = vms.flatMap((v) => v.macs);
    assert.equal(macs.length, 30 + 10);
    assert.equal(new Set(macs).size, macs.length, `duplicate MACs: ${macs.join(' ')}`);
  });

  it('matches the facts for each test VM: disks, MACs, guest OS, firmware', () => {
    for (const f of facts.vms) {
      const vm = vms.find((v) => v.name === f.name);
      assert.ok(vm, `${f.name} listed`);
      assert.equal(vm.moid, f.moid);
      assert.equal(vm.guestId, f.guest_id);
      assert.equal(vm.firmware, f.firmware);
      assert.deepEqual(
        vm.disks.map((d) => [d.key, d.capacity, d.fileName]),
        f.disks.map((d) => [d.key, d.capacity_bytes, d.file_name]),
      );
      assert.deepEqual(vm.macs, f.nics.map((n) => n.mac));
      assert.deepEqual(vm.guestIps, f.nics.map((n) => n.ip));
    }
    const byName = new Map(facts.vms.map((v) => [v.name, v]));
    assert.deepEqual(byName.get('osm-multidisk')?.disks.map((d) => d.datastore), ['LocalDS_0', 'LocalDS_1']);
    assert.deepEqual(byName.get('osm-multinic')?.nics.map((n) => n.network), ['VM Network', 'DC0_DVPG0']);
    assert.ok(byName.get('osm-multinic')?.nics[1]?.portgroup_key?.startsWith('dvportgroup-'));
    assert.equal(byName.get('osm-efi')?.firmware, 'efi');
    assert.equal(byName.get('osm-windows')?.guest_id, 'windows2019srv_64Guest');
    assert.equal(byName.get('osm-debian-guest')?.guest_id, 'debian12_64Guest');
    assert.deepEqual(byName.get('osm-debian-guest')?.nics.map((n) => n.mac), ['00:50:56:8a:0c:01']);
    const guest = vms.find((v) => v.name === 'osm-debian-guest');
    assert.equal(guest?.memoryMB, 1024);
    assert.deepEqual(guest?.pciSlots, [192], 'the guest names its vmxnet3 NIC after PCI slot 192: ens192');
  });
});

describe('vSphere lab: disk bytes', () => {
  it('serves a test disk flat extent over the datastore endpoint, with ranges', async () => {
    const facts = loadFacts();
    const vm = facts.vms.find((v) => v.name === 'osm ñame é spaces');
    assert.ok(vm);
    const disk = vm.disks[0];
    assert.ok(disk);
    const inDatastore = disk.file_name.replace(/^\[[^\]]+\] /, '').replace(/\.vmdk$/, '-flat.vmdk');
    const path = `/folder/${encodeURI(inDatastore)}?dcPath=DC0&dsName=${disk.datastore}`;
    const whole = await httpsGet(facts, path);
    assert.equal(whole.status, 200);
    assert.equal(whole.body.length, disk.capacity_bytes);
    assert.equal(sha256(whole.body), sha256(readFileSync(disk.flat_path)));
    assert.match(whole.body.subarray(0, 64).toString('utf8'), /^OSM-LAB-DISK osm ñame é spaces disk0/);
  });

  it('serves the datastores over SSH under /vmfs/volumes like an ESXi host', () => {
    const facts = loadFacts();
    const disk = facts.vms.find((v) => v.name === 'osm-multidisk')?.disks[1];
    assert.ok(disk);
    const remote = `${facts.ssh.vmfs_root}/${disk.datastore}/${disk.file_name.replace(/^\[[^\]]+\] /, '').replace(/\.vmdk$/, '-flat.vmdk')}`;
    const out = execFileSync('ssh', [
      '-i', facts.ssh.key_path, '-p', String(facts.ssh.port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes',
      '-o', `UserKnownHostsFile=${facts.ssh.known_hosts_path}`, `${facts.ssh.user}@${facts.ssh.host}`, `sha256sum '${remote}'`,
    ]).toString();
    assert.equal(out.split(' ')[0], sha256(readFileSync(disk.flat_path)));
  });
});

/** Change Blocked Tracking on one VM: enable, snapshot, write, snapshot, query. */
describe('vSphere lab: changed block tracking', () => {
  let facts: Facts;
  let vim: Vim;
  const block = 64 * KiB;

  const snapshot = async (moid: string, name: string): Promise<{ snap: string; changeIds: string[] }> => {
    const info = await vim.task(
      `<CreateSnapshot_Task xmlns="urn:vim25"><_this type="VirtualMachine">${moid}</_this><name>${name}</name>` +
        '<memory>false</memory><quiesce>false</quiesce></CreateSnapshot_Task>',
    );
    const snap = text(info, 'result');
    assert.ok(snap, 'snapshot reference in the task result');
    const devices = await vim.properties('VirtualMachineSnapshot', snap, ['config.hardware.device']);
    return { snap, changeIds: all(devices, 'changeId') };
  };
  const removeSnapshot = (snap: string) =>
    vim.task(
      `<RemoveSnapshot_Task xmlns="urn:vim25"><_this type="VirtualMachineSnapshot">${snap}</_this>` +
        '<removeChildren>false</removeChildren></RemoveSnapshot_Task>',
    );
  const setTracking = (moid: string, on: boolean) =>
    vim.task(
      `<ReconfigVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">${moid}</_this>` +
        `<spec><changeTrackingEnabled>${on}</changeTrackingEnabled></spec></ReconfigVM_Task>`,
    );
  const query = (moid: string, snap: string, key: number, offset: number, changeId: string) =>
    vim.call(
      `<QueryChangedDiskAreas xmlns="urn:vim25"><_this type="VirtualMachine">${moid}</_this>` +
        `<snapshot type="VirtualMachineSnapshot">${snap}</snapshot><deviceKey>${key}</deviceKey>` +
        `<startOffset>${offset}</startOffset><changeId>${xmlEscape(changeId)}</changeId></QueryChangedDiskAreas>`,
    );
  /** All changed areas of the disk, following startOffset + length until the end like a real client. */
  const changedAreas = async (moid: string, snap: string, key: number, capacity: number, changeId: string) => {
    const areas: [number, number][] = [];
    let calls = 0;
    for (let offset = 0; offset < capacity; calls++) {
      const r = await query(moid, snap, key, offset, changeId);
      assert.equal(r.status, 200, text(r.xml, 'faultstring'));
      const ret = /<returnval>([\s\S]*)<\/returnval>/.exec(r.xml)?.[1] ?? '';
      assert.equal(Number(text(ret, 'startOffset')), offset);
      const length = Number(/^<startOffset>\d+<\/startOffset><length>(\d+)<\/length>/.exec(ret)?.[1]);
      assert.ok(length > 0, 'each answer covers part of the disk');
      for (const m of ret.matchAll(/<changedArea><start>(\d+)<\/start><length>(\d+)<\/length><\/changedArea>/g)) {
        const start = Number(m[1]);
        const len = Number(m[2]);
        const last = areas[areas.length - 1];
        if (last && last[0] + last[1] === start) last[1] += len;
        else areas.push([start, len]);
      }
      offset += length;
    }
    return { areas, calls };
  };

  before(async () => {
    facts = loadFacts();
    vim = new Vim(facts);
    await vim.ok(
      `<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>${facts.user}</userName><password>${facts.password}</password></Login>`,
    );
  });

  it('reports exactly the blocks written between two snapshots, and faults on unknown change IDs', async (t) => {
    const vm = facts.base_vms.find((v) => v.name === 'DC0_C1_RP0_VM9');
    const disk = vm?.disks[0];
    assert.ok(vm && disk);
    // The standard VMs' disks hold no data (the users' case, which the assessment tests rely on): punch the writes out.
    t.after(() => {
      execFileSync('fallocate', ['--punch-hole', '--keep-size', '--offset', '0', '--length', String(disk.capacity_bytes), disk.flat_path]);
    });
    await setTracking(vm.moid, true);
    const current = all(await vim.properties('VirtualMachine', vm.moid, ['config.hardware.device']), 'changeId');
    assert.equal(current.length, 1, 'the tracked disk carries a change ID');
    assert.match(current[0] ?? '', /^([0-9a-f]{2} ){7}[0-9a-f]{2}-([0-9a-f]{2} ){7}[0-9a-f]{2}\/\d+$/);

    const first = await snapshot(vm.moid, 'sync-1');
    assert.equal(first.changeIds.length, 1);
    const base = first.changeIds[0] ?? '';
    await removeSnapshot(first.snap);

    const writes: [number, number][] = [
      [1 * MiB + 100, 4 * KiB], // inside one block
      [8 * MiB - 10 * KiB, 200 * KiB], // across block boundaries
      [200 * MiB + 5, 1], // one byte, past the first answer's window
    ];
    const dir = mkdtempSync(join(tmpdir(), 'osm-cbt-'));
    try {
      for (const [offset, length] of writes) {
        const file = join(dir, `w-${offset}`);
        writeFileSync(file, randomBytes(length));
        const out = JSON.parse(execFileSync(diskWriteCommand, [vm.name, '0', String(offset), file]).toString()) as { length: number };
        assert.equal(out.length, length);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const second = await snapshot(vm.moid, 'sync-2');
    const next = second.changeIds[0] ?? '';
    assert.notEqual(next, base, 'a new snapshot has a new change ID');
    const expected: [number, number][] = [];
    for (const [offset, length] of writes) {
      const start = Math.floor(offset / block) * block;
      const end = Math.ceil((offset + length) / block) * block;
      const last = expected[expected.length - 1];
      if (last && last[0] + last[1] >= start) last[1] = Math.max(last[1], end - last[0]);
      else expected.push([start, end - start]);
    }
    const changed = await changedAreas(vm.moid, second.snap, disk.key, disk.capacity_bytes, base);
    assert.deepEqual(changed.areas, expected);
    assert.ok(changed.calls > 1, 'the disk is answered in several windows');

    const allocated = await changedAreas(vm.moid, second.snap, disk.key, disk.capacity_bytes, '*');
    for (const [start, length] of expected) {
      assert.ok(
        allocated.areas.some(([s, l]) => s <= start && start + length <= s + l),
        `"*" covers the written area ${start}+${length}`,
      );
    }
    const unchanged = await changedAreas(vm.moid, second.snap, disk.key, disk.capacity_bytes, next);
    assert.deepEqual(unchanged.areas, [], 'nothing changed since the snapshot’s own change ID');

    const [id] = next.split('/');
    const unknown = await query(vm.moid, second.snap, disk.key, 0, `${id}/999999`);
    assert.equal(unknown.status, 500);
    assert.match(unknown.xml, /FileFault/);
    assert.match(text(unknown.xml, 'faultstring') ?? '', /change ID .* is unknown/);
    const foreign = await query(vm.moid, second.snap, disk.key, 0, '52 64 3d 2e 44 c3 62 2f-d2 4a e9 fd 82 39 54 85/1');
    assert.match(foreign.xml, /FileFault/);
    const malformed = await query(vm.moid, second.snap, disk.key, 0, 'not-a-change-id');
    assert.equal(malformed.status, 500);
    assert.match(malformed.xml, /InvalidArgument/);
    const wrongKey = await query(vm.moid, second.snap, disk.key + 1, 0, '*');
    assert.match(wrongKey.xml, /InvalidArgument/);

    await removeSnapshot(second.snap);
    await setTracking(vm.moid, false);
    const cleared = all(await vim.properties('VirtualMachine', vm.moid, ['config.hardware.device']), 'changeId');
    assert.deepEqual(cleared, [], 'disabling tracking drops the change IDs');
  });

  it('tracks each disk of a VM on its own (disks on two datastores)', async () => {
    const vm = facts.vms.find((v) => v.name === 'osm-multidisk');
    assert.ok(vm && vm.disks.length === 2);
    await setTracking(vm.moid, true);
    const first = await snapshot(vm.moid, 'sync-1');
    assert.equal(first.changeIds.length, 2);
    assert.notEqual(first.changeIds[0]?.split('/')[0], first.changeIds[1]?.split('/')[0], 'each disk has its own tracking id');
    await removeSnapshot(first.snap);
    const original = readFileSync(vm.disks[1]?.flat_path ?? '').subarray(5 * block, 8 * block);
    const dir = mkdtempSync(join(tmpdir(), 'osm-cbt-'));
    const put = (bytes: Buffer) => {
      const file = join(dir, 'w');
      writeFileSync(file, bytes);
      execFileSync(diskWriteCommand, [vm.name, '1', String(5 * block), file]);
    };
    put(randomBytes(3 * block));
    const second = await snapshot(vm.moid, 'sync-2');
    try {
      const [d0, d1] = vm.disks;
      assert.ok(d0 && d1);
      const on0 = await changedAreas(vm.moid, second.snap, d0.key, d0.capacity_bytes, first.changeIds[0] ?? '');
      const on1 = await changedAreas(vm.moid, second.snap, d1.key, d1.capacity_bytes, first.changeIds[1] ?? '');
      assert.deepEqual(on0.areas, []);
      assert.deepEqual(on1.areas, [[5 * block, 3 * block]]);
      const crossed = await query(vm.moid, second.snap, d1.key, 0, first.changeIds[0] ?? '');
      assert.match(crossed.xml, /FileFault/, "another disk's change ID is unknown here");
    } finally {
      put(original); // leave the test disk as the facts describe it
      rmSync(dir, { recursive: true, force: true });
      await removeSnapshot(second.snap);
      await setTracking(vm.moid, false);
    }
  });

  it('answers "*" with the allocated areas of a test disk', async () => {
    const vm = facts.vms.find((v) => v.name === 'osm-single');
    const disk = vm?.disks[0];
    assert.ok(vm && disk);
    await setTracking(vm.moid, true);
    const snap = await snapshot(vm.moid, 'full');
    try {
      const bytes = readFileSync(disk.flat_path);
      const expected: [number, number][] = [];
      for (let start = 0; start < bytes.length; start += block) {
        if (!bytes.subarray(start, start + block).some((b) => b !== 0)) continue;
        const last = expected[expected.length - 1];
        if (last && last[0] + last[1] === start) last[1] += block;
        else expected.push([start, block]);
      }
      assert.ok(expected.length > 1, 'the test disk mixes data and holes');
      const allocated = await changedAreas(vm.moid, snap.snap, disk.key, disk.capacity_bytes, '*');
      assert.deepEqual(allocated.areas, expected);
    } finally {
      await removeSnapshot(snap.snap);
      await setTracking(vm.moid, false);
    }
  });
});

