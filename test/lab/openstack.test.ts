// The lab's OpenStack (Debian Zed services), checked with plain fetch against the REST APIs (no product code):
// Keystone authentication, the seeded target, a boot-from-volume server, and attach on the conversion host
// making a by-id link to the real Cinder volume file.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, lstatSync, openSync, readFileSync, readSync, readlinkSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const labDir = process.env.OSM_LAB_DIR ?? '/var/lib/osm-lab';
const factsPath = join(labDir, 'openstack.json');
const MiB = 1024 * 1024;

interface Credential {
  username: string;
  password: string;
  project_name: string;
  project_id: string;
  user_domain_name: string;
  project_domain_name: string;
}
interface Facts {
  auth_url: string;
  region: string;
  interface: string;
  osm: Credential;
  admin: Credential;
  ffp: Credential;
  flavors: Record<string, string>;
  networks: Record<string, { id: string; subnet_id: string; cidr: string }>;
  security_groups: Record<string, string>;
  keypair: { name: string };
  image: { name: string; id: string };
  volume_types: string[];
  conversion_host: { name: string; uuid: string };
  foreign: { project_id: string; server_name: string; server_id: string; volume_id: string; port_id: string };
  by_id_dir: string;
  cinder_volumes_dir: string;
}

function loadFacts(): Facts {
  if (!existsSync(factsPath)) {
    throw new Error(`the OpenStack lab is not up: ${factsPath} is missing; run lab/up (or lab/openstack/up) first`);
  }
  return JSON.parse(readFileSync(factsPath, 'utf8')) as Facts;
}

interface Reply {
  status: number;
  body: any; // raw REST answers: the asserts check what the tests depend on
  headers: Headers;
}

async function call(method: string, url: string, token?: string, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token !== undefined) headers['X-Auth-Token'] = token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new Error(`${method} ${url} failed (${String(err)}); is the OpenStack lab up? (lab/openstack/status)`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  if (text !== '' && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  return { status: res.status, body: parsed, headers: res.headers };
}

async function expectOk(method: string, url: string, token: string, body?: unknown): Promise<any> {
  const reply = await call(method, url, token, body);
  assert.ok(reply.status >= 200 && reply.status < 300, `${method} ${url}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

interface Scoped {
  token: string;
  endpoints: Record<string, string>;
}

function passwordAuth(cred: Credential, password = cred.password): unknown {
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: cred.username, domain: { name: cred.user_domain_name }, password } },
      },
      scope: { project: { name: cred.project_name, domain: { name: cred.project_domain_name } } },
    },
  };
}

async function login(facts: Facts, cred: Credential): Promise<Scoped> {
  const reply = await call('POST', `${facts.auth_url}/auth/tokens`, undefined, passwordAuth(cred));
  assert.equal(reply.status, 201, `token for ${cred.username}: HTTP ${reply.status}`);
  const token = reply.headers.get('x-subject-token');
  assert.ok(token, 'Keystone answered without X-Subject-Token');
  const endpoints: Record<string, string> = {};
  for (const svc of reply.body.token.catalog as { type: string; endpoints: { interface: string; region_id: string; url: string }[] }[]) {
    const ep = svc.endpoints.find((e) => e.interface === facts.interface && e.region_id === facts.region);
    if (ep) endpoints[svc.type] = ep.url.replace(/\/$/, '');
  }
  return { token, endpoints };
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function volumeStatus(s: Scoped, id: string): Promise<string> {
  const body = await expectOk('GET', `${s.endpoints.volumev3}/volumes/${id}`, s.token);
  return body.volume.status as string;
}

async function waitVolume(s: Scoped, id: string, wanted: string): Promise<void> {
  await waitFor(`volume ${id} to be ${wanted}`, 60_000, async () => {
    const status = await volumeStatus(s, id);
    assert.notEqual(status, 'error', `volume ${id} went to error`);
    return status === wanted ? true : undefined;
  });
}

async function createVolume(s: Scoped, name: string, bootable: boolean): Promise<string> {
  const body = await expectOk('POST', `${s.endpoints.volumev3}/volumes`, s.token, {
    volume: { name, size: 1, description: 'osm lab test' },
  });
  const id = body.volume.id as string;
  await waitVolume(s, id, 'available');
  if (bootable) {
    await expectOk('POST', `${s.endpoints.volumev3}/volumes/${id}/action`, s.token, {
      'os-set_bootable': { bootable: true },
    });
  }
  return id;
}

async function deleteVolume(s: Scoped, id: string): Promise<void> {
  await expectOk('DELETE', `${s.endpoints.volumev3}/volumes/${id}`, s.token);
  await waitFor(`volume ${id} to be deleted`, 60_000, async () => {
    const reply = await call('GET', `${s.endpoints.volumev3}/volumes/${id}`, s.token);
    return reply.status === 404 ? true : undefined;
  });
}

function readAt(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    assert.equal(readSync(fd, buf, 0, length, offset), length);
    return buf;
  } finally {
    closeSync(fd);
  }
}

describe('lab OpenStack', () => {
  let facts: Facts;
  let osm: Scoped;

  before(async () => {
    facts = loadFacts();
    osm = await login(facts, facts.osm);
  });

  describe('Keystone', () => {
    it('issues a project-scoped token to the osm user with every service in the catalog', () => {
      for (const type of ['identity', 'compute', 'network', 'volumev3', 'image', 'placement', 'orchestration']) {
        assert.ok(osm.endpoints[type], `catalog has no ${facts.interface} ${type} endpoint in ${facts.region}`);
      }
    });

    it('refuses a wrong password with 401', async () => {
      const reply = await call('POST', `${facts.auth_url}/auth/tokens`, undefined, passwordAuth(facts.osm, 'not-the-password'));
      assert.equal(reply.status, 401);
      assert.equal(reply.headers.get('x-subject-token'), null);
    });
  });

  describe('seeded target', () => {
    it('has the flavors of the users target with their sizes', async () => {
      const body = await expectOk('GET', `${osm.endpoints.compute}/flavors/detail`, osm.token);
      const sizes = Object.fromEntries(
        (body.flavors as { name: string; vcpus: number; ram: number; disk: number }[]).map((f) => [f.name, [f.vcpus, f.ram, f.disk]]),
      );
      assert.deepEqual(
        {
          'm1.tiny': sizes['m1.tiny'], 'm1.small-bfv': sizes['m1.small-bfv'], 'm2.2': sizes['m2.2'],
          'm1.small': sizes['m1.small'], 'm2.medium-bfv': sizes['m2.medium-bfv'], 'm2.4': sizes['m2.4'],
          'm1.large': sizes['m1.large'], 'm2.large-bfv': sizes['m2.large-bfv'], 'm8.20': sizes['m8.20'],
        },
        {
          'm1.tiny': [1, 256, 0], 'm1.small-bfv': [1, 2048, 0], 'm2.2': [2, 2048, 0],
          'm1.small': [2, 2048, 20], 'm2.medium-bfv': [2, 4096, 0], 'm2.4': [2, 4096, 0],
          'm1.large': [2, 8192, 0], 'm2.large-bfv': [2, 8192, 0], 'm8.20': [4, 8192, 0],
        },
      );
    });

    it('has frontier-net with its subnet, the public network, the image, keypair and volume types', async () => {
      const nets = await expectOk('GET', `${osm.endpoints.network}/v2.0/networks`, osm.token);
      const names = (nets.networks as { name: string }[]).map((n) => n.name);
      assert.ok(names.includes('frontier-net') && names.includes('public'), `networks: ${names.join(', ')}`);
      const subnet = await expectOk('GET', `${osm.endpoints.network}/v2.0/subnets/${facts.networks['frontier-net']!.subnet_id}`, osm.token);
      assert.equal(subnet.subnet.network_id, facts.networks['frontier-net']!.id);
      const image = await expectOk('GET', `${osm.endpoints.image}/v2/images/${facts.image.id}`, osm.token);
      assert.equal(image.name, 'ubuntu-22.04-jammy');
      assert.equal(image.status, 'active');
      await expectOk('GET', `${osm.endpoints.compute}/os-keypairs/default-keypair`, osm.token);
      const types = await expectOk('GET', `${osm.endpoints.volumev3}/types`, osm.token);
      const typeNames = (types.volume_types as { name: string }[]).map((t) => t.name).sort();
      assert.deepEqual(typeNames, [...facts.volume_types].sort());
    });

    it('has the conversion host and the foreign tenant server ACTIVE, the latter owned by project ffp', async () => {
      const ch = await expectOk('GET', `${osm.endpoints.compute}/servers/${facts.conversion_host.uuid}`, osm.token);
      assert.equal(ch.server.name, 'osm-conversion-host');
      assert.equal(ch.server.status, 'ACTIVE');
      const foreign = await expectOk('GET', `${osm.endpoints.compute}/servers/${facts.foreign.server_id}`, osm.token);
      assert.equal(foreign.server.name, 'ffp-vdi-01');
      assert.equal(foreign.server.status, 'ACTIVE');
      assert.equal(foreign.server.tenant_id, facts.foreign.project_id);
      const attached = (foreign.server['os-extended-volumes:volumes_attached'] as { id: string }[]).map((v) => v.id);
      assert.deepEqual(attached, [facts.foreign.volume_id]);
    });
  });

  it('boots a server from a volume on frontier-net with a pre-created port to ACTIVE', { timeout: 240_000 }, async () => {
    const name = `lab-test-bfv-${randomBytes(3).toString('hex')}`;
    const volumeId = await createVolume(osm, `${name}-root`, true);
    const port = await expectOk('POST', `${osm.endpoints.network}/v2.0/ports`, osm.token, {
      port: { name: `${name}-port`, network_id: facts.networks['frontier-net']!.id },
    });
    const portId = port.port.id as string;
    let serverId: string | undefined;
    try {
      const created = await expectOk('POST', `${osm.endpoints.compute}/servers`, osm.token, {
        server: {
          name,
          flavorRef: facts.flavors['m1.small-bfv'],
          networks: [{ port: portId }],
          block_device_mapping_v2: [
            { uuid: volumeId, source_type: 'volume', destination_type: 'volume', boot_index: 0, delete_on_termination: false },
          ],
        },
      });
      serverId = created.server.id as string;
      const server = await waitFor(`server ${name} to be ACTIVE`, 120_000, async () => {
        const body = await expectOk('GET', `${osm.endpoints.compute}/servers/${serverId}`, osm.token);
        assert.notEqual(body.server.status, 'ERROR', `server ${name} in ERROR: ${JSON.stringify(body.server.fault)}`);
        return body.server.status === 'ACTIVE' ? body.server : undefined;
      });
      const portNow = await expectOk('GET', `${osm.endpoints.network}/v2.0/ports/${portId}`, osm.token);
      assert.equal(portNow.port.device_id, serverId);
      assert.equal(portNow.port['binding:vif_type'], 'ovs');
      assert.deepEqual((server['os-extended-volumes:volumes_attached'] as { id: string }[]).map((v) => v.id), [volumeId]);
      assert.equal(await volumeStatus(osm, volumeId), 'in-use');
      // An empty boot volume is not booted: the console is the fake driver's fixed text.
      assert.match(await consoleOutput(osm, serverId), /FAKE CONSOLE OUTPUT/);
    } finally {
      if (serverId !== undefined) {
        await expectOk('DELETE', `${osm.endpoints.compute}/servers/${serverId}`, osm.token);
        await waitFor(`server ${name} to be deleted`, 120_000, async () => {
          const reply = await call('GET', `${osm.endpoints.compute}/servers/${serverId}`, osm.token);
          return reply.status === 404 ? true : undefined;
        });
      }
      await waitVolume(osm, volumeId, 'available');
      await deleteVolume(osm, volumeId);
      const reply = await call('DELETE', `${osm.endpoints.network}/v2.0/ports/${portId}`, osm.token);
      assert.ok([204, 404].includes(reply.status), `deleting port ${portId}: HTTP ${reply.status}`);
    }
  });

  it('attach to the conversion host makes a virtio-<id> link to the volume file; writes land in it; detach removes it', { timeout: 240_000 }, async () => {
    const volumeId = await createVolume(osm, `lab-test-attach-${randomBytes(3).toString('hex')}`, false);
    const link = join(facts.by_id_dir, `virtio-${volumeId.slice(0, 20)}`);
    const volumeFile = join(facts.cinder_volumes_dir, `volume-${volumeId}`);
    const attachUrl = `${osm.endpoints.compute}/servers/${facts.conversion_host.uuid}/os-volume_attachments`;
    let attached = false;
    try {
      assert.ok(!isLink(link), `${link} exists before attach`);
      await expectOk('POST', attachUrl, osm.token, { volumeAttachment: { volumeId } });
      attached = true;
      await waitVolume(osm, volumeId, 'in-use');
      assert.ok(lstatSync(link).isSymbolicLink(), `${link} is not a symlink`);
      assert.equal(readlinkSync(link), volumeFile);

      const data = randomBytes(MiB);
      const offset = 300 * MiB + 4096;
      const fd = openSync(link, 'r+');
      try {
        assert.equal(writeSync(fd, data, 0, data.length, offset), data.length);
      } finally {
        closeSync(fd);
      }
      assert.ok(readAt(volumeFile, offset, data.length).equals(data), 'bytes written through the link are not in the volume file');

      await expectOk('DELETE', `${attachUrl}/${volumeId}`, osm.token);
      attached = false;
      await waitVolume(osm, volumeId, 'available');
      assert.ok(!isLink(link), `${link} still exists after detach`);
    } finally {
      if (attached) {
        await call('DELETE', `${attachUrl}/${volumeId}`, osm.token);
        await waitVolume(osm, volumeId, 'available');
      }
      await deleteVolume(osm, volumeId);
    }
  });

  it('a server whose boot volume holds a GRUB disk really boots it: the console is its serial log, qemu ends with the server', { timeout: 300_000 }, async () => {
    const guest = JSON.parse(readFileSync(join(labDir, 'guest', 'guest.json'), 'utf8')) as { image: string; sizeBytes: number };
    const name = `lab-test-boot-${randomBytes(3).toString('hex')}`;
    const body = await expectOk('POST', `${osm.endpoints.volumev3}/volumes`, osm.token, {
      volume: { name: `${name}-root`, size: Math.ceil(guest.sizeBytes / (1024 * MiB)) },
    });
    const volumeId = body.volume.id as string;
    await waitVolume(osm, volumeId, 'available');
    await expectOk('POST', `${osm.endpoints.volumev3}/volumes/${volumeId}/action`, osm.token, { 'os-set_bootable': { bootable: true } });
    const volumeFile = join(facts.cinder_volumes_dir, `volume-${volumeId}`);
    const copied = spawnSync('cp', ['--sparse=always', guest.image, volumeFile]);
    assert.equal(copied.status, 0, `cp ${guest.image}: ${String(copied.stderr)}`);
    const before = readAt(volumeFile, 0, 1024 * 1024);
    const port = await expectOk('POST', `${osm.endpoints.network}/v2.0/ports`, osm.token, {
      port: { name: `${name}-port`, network_id: facts.networks['frontier-net']!.id },
    });
    const portId = port.port.id as string;
    let serverId: string | undefined;
    try {
      const created = await expectOk('POST', `${osm.endpoints.compute}/servers`, osm.token, {
        server: {
          name,
          flavorRef: facts.flavors['m1.small-bfv'],
          networks: [{ port: portId }],
          block_device_mapping_v2: [
            { uuid: volumeId, source_type: 'volume', destination_type: 'volume', boot_index: 0, delete_on_termination: false },
          ],
        },
      });
      const id = created.server.id as string;
      serverId = id;
      // The unconverted guest has no virtio driver in its initramfs: on the driver's virtio disk its kernel starts
      // (real console output) and then gives up on the root device, as a real hypervisor would show.
      await waitFor(`server ${name} to be ACTIVE`, 120_000, async () => {
        const body = await expectOk('GET', `${osm.endpoints.compute}/servers/${id}`, osm.token);
        assert.notEqual(body.server.status, 'ERROR', `server ${name} in ERROR: ${JSON.stringify(body.server.fault)}`);
        return body.server.status === 'ACTIVE' ? true : undefined;
      });
      const console = await waitFor('the guest kernel on the console', 240_000, async () => {
        const text = await consoleOutput(osm, id);
        return /Linux version/.test(text) ? text : undefined;
      });
      assert.doesNotMatch(console, /FAKE CONSOLE OUTPUT/);
      assert.ok(qemuFor(volumeFile).length > 0, `no qemu runs ${volumeFile}`);
    } finally {
      if (serverId !== undefined) {
        await expectOk('DELETE', `${osm.endpoints.compute}/servers/${serverId}`, osm.token);
        await waitFor(`server ${name} to be deleted`, 120_000, async () => {
          const reply = await call('GET', `${osm.endpoints.compute}/servers/${serverId}`, osm.token);
          return reply.status === 404 ? true : undefined;
        });
      }
      assert.deepEqual(qemuFor(volumeFile), [], 'qemu outlived the server');
      assert.ok(readAt(volumeFile, 0, 1024 * 1024).equals(before), 'the boot wrote to the volume (it must run with -snapshot)');
      await waitVolume(osm, volumeId, 'available');
      await deleteVolume(osm, volumeId);
      await call('DELETE', `${osm.endpoints.network}/v2.0/ports/${portId}`, osm.token);
    }
  });

  it('manages an existing file on the NFS share as a Cinder volume, keeping its bytes', { timeout: 120_000 }, async () => {
    const source = join(facts.cinder_volumes_dir, `lab-test-import-${randomBytes(3).toString('hex')}.raw`);
    const data = randomBytes(64 * 1024);
    writeFileSync(source, data);
    truncateSync(source, 1024 * MiB);
    let volumeId: string | undefined;
    try {
      const pools = await expectOk('GET', `${osm.endpoints.volumev3}/scheduler-stats/get_pools`, osm.token);
      const host = pools.pools[0]?.name as string;
      assert.ok(host, 'Cinder reports no pool');
      const reply = await call('POST', `${osm.endpoints.volumev3}/os-volume-manage`, osm.token, {
        volume: { host, ref: { 'source-name': `127.0.0.1:${source}` }, name: 'lab-test-managed' },
      });
      assert.equal(reply.status, 202, `manage: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
      volumeId = reply.body.volume.id as string;
      await waitVolume(osm, volumeId, 'available');
      const managedFile = join(facts.cinder_volumes_dir, `volume-${volumeId}`);
      assert.ok(!existsSync(source), 'the managed file was not renamed to volume-<id>');
      assert.ok(readAt(managedFile, 0, data.length).equals(data));
      const body = await expectOk('GET', `${osm.endpoints.volumev3}/volumes/${volumeId}`, osm.token);
      assert.equal(body.volume.size, 1);
    } finally {
      if (volumeId !== undefined) await deleteVolume(osm, volumeId);
      rmSync(source, { force: true });
    }
  });
});

async function consoleOutput(s: Scoped, serverId: string): Promise<string> {
  const body = await expectOk('POST', `${s.endpoints.compute}/servers/${serverId}/action`, s.token, { 'os-getConsoleOutput': { length: 200 } });
  return body.output as string;
}

/** PIDs of qemu processes whose command line names the file. */
function qemuFor(file: string): string[] {
  const ps = spawnSync('pgrep', ['-f', `qemu-system.*${file}`], { encoding: 'utf8' });
  return ps.stdout.split('\n').filter(Boolean);
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
