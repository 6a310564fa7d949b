import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  V2V_CLOUD_NAME,
  type VddkImportSpec,
  runVirtV2v,
  uriHost,
  virtV2vEnv,
  virtV2vVddkArgs,
  vpxUri,
} from '../../src/conversion/virt-v2v-vddk.js';
import { type CloudConfig, cloudsYaml } from '../../src/openstack/cloud-config.js';
import { driveName } from '../../src/modules/import_vmware_volume.js';
import { writeStandIn, type StandInRecord, readRecord } from './virt-v2v-stand-in.js';

const spec: VddkImportSpec = {
  vcenterHostname: 'vcenter.example.com',
  vcenterUsername: 'administrator@vsphere.local',
  datacenter: 'DC0',
  cluster: 'DC0_C0',
  esxiHostname: 'esxi-1.example.com',
  vddkLibdir: '/usr/lib/vmware-vix-disklib',
  vddkThumbprint: 'AB:CD:EF',
  conversionHostId: '0b7f1c62-0000-4000-8000-000000000001',
  vmName: 'rhel-1',
  insecure: false,
};

const cloud: CloudConfig = {
  source: 'test',
  authType: 'password',
  auth: { authUrl: 'https://keystone.example.com:5000/v3', username: 'migration', password: 'cloud-secret-1234', projectName: 'p', userDomainName: 'Default' },
  regionName: 'RegionOne',
  interface: 'internal',
  endpointOverrides: { 'block-storage': 'https://cinder.example.com/v3' },
  verify: false,
  cacert: '/etc/pki/ca.pem',
};

describe('virt-v2v -it vddk command line', () => {
  it("encodes the user's @ and keeps upstream's /<dc>/host/<cluster>/<esxi> path; TLS verified by default", () => {
    assert.equal(vpxUri(spec), 'vpx://administrator%40vsphere.local@vcenter.example.com/DC0/host/DC0_C0/esxi-1.example.com');
  });

  it('percent-encodes every component (spaces, %, #, ?, non-ASCII), and / separates folders', () => {
    const uri = vpxUri({ ...spec, vcenterUsername: 'DOM\\us er:x', datacenter: 'Folder A/DC #1', cluster: 'Clu?ster%', esxiHostname: 'ésxi' });
    assert.equal(uri, 'vpx://DOM%5Cus%20er%3Ax@vcenter.example.com/Folder%20A/DC%20%231/host/Clu%3Fster%25/%C3%A9sxi');
    assert.equal(new URL(uri).pathname.split('/').length, 6, 'no component adds or removes a path segment');
  });

  it('no_verify=1 only with vmware_insecure', () => {
    assert.match(vpxUri({ ...spec, insecure: true }), /\?no_verify=1$/);
  });

  it('host, host:port, IPv4, IPv6 (bracketed), and refuses anything that would change the URL', () => {
    assert.equal(uriHost('vc.example.com:8443'), 'vc.example.com:8443');
    assert.equal(uriHost('192.0.2.10'), '192.0.2.10');
    assert.equal(uriHost('2001:db8::5'), '[2001:db8::5]');
    assert.equal(uriHost('[2001:db8::5]:443'), '[2001:db8::5]:443');
    for (const bad of ['evil.com/x', 'user@vc', 'vc:99999', 'vc?no_verify=1', 'vc example', '']) {
      assert.throws(() => uriHost(bad), /vcenter_hostname/, bad);
    }
  });

  it('refuses an empty inventory component', () => {
    assert.throws(() => vpxUri({ ...spec, cluster: '/' }), /vcenter_cluster '\/' names no inventory object/);
  });

  it('argument list: password only as a file, VDDK options, -o openstack with the conversion host, -- before the VM name', () => {
    assert.deepEqual(virtV2vVddkArgs({ ...spec, vmName: '-rm me' }, '/tmp/p/password'), [
      '-ip', '/tmp/p/password',
      '-ic', 'vpx://administrator%40vsphere.local@vcenter.example.com/DC0/host/DC0_C0/esxi-1.example.com',
      '-it', 'vddk',
      '-io', 'vddk-libdir=/usr/lib/vmware-vix-disklib',
      '-io', 'vddk-thumbprint=AB:CD:EF',
      '-o', 'openstack',
      '-oo', 'server-id=0b7f1c62-0000-4000-8000-000000000001',
      '--', '-rm me',
    ]);
  });

  it('virt-v2v volume names: sda..sdz, then sdaa', () => {
    assert.deepEqual([0, 1, 25, 26, 27, 51, 52].map(driveName), ['sda', 'sdb', 'sdz', 'sdaa', 'sdab', 'sdaz', 'sdba']);
  });
});

describe('the OpenStack credentials handed to virt-v2v', () => {
  it('clouds.yaml carries auth, region, interface, TLS settings and endpoint overrides under one cloud name', () => {
    const doc = parseYaml(cloudsYaml(cloud, V2V_CLOUD_NAME)) as { clouds: Record<string, Record<string, unknown>> };
    assert.deepEqual(doc.clouds[V2V_CLOUD_NAME], {
      auth_type: 'password',
      auth: { auth_url: 'https://keystone.example.com:5000/v3', username: 'migration', password: 'cloud-secret-1234', project_name: 'p', user_domain_name: 'Default' },
      interface: 'internal',
      identity_api_version: 3,
      verify: false,
      region_name: 'RegionOne',
      cacert: '/etc/pki/ca.pem',
      block_storage_endpoint_override: 'https://cinder.example.com/v3',
    });
  });

  it('the environment drops every inherited OS_* variable and selects the private cloud', () => {
    const env = virtV2vEnv('/p/clouds.yaml', { PATH: '/bin', OS_PASSWORD: 'x', OS_AUTH_URL: 'y', OS_CLOUD: 'other' });
    assert.equal(env.OS_CLOUD, V2V_CLOUD_NAME);
    assert.equal(env.OS_CLIENT_CONFIG_FILE, '/p/clouds.yaml');
    assert.equal(env.OS_PASSWORD, undefined);
    assert.equal(env.OS_AUTH_URL, undefined);
    assert.equal(env.PATH, '/bin');
    assert.equal(env.LIBGUESTFS_BACKEND, 'direct');
  });
});

describe('running virt-v2v (stand-in executable)', () => {
  const password = 'vc-Pa55 word"$(x)';

  async function run(exitCode: number): Promise<{ record: StandInRecord; base: string; result: Awaited<ReturnType<typeof runVirtV2v>> }> {
    const work = mkdtempSync(join(tmpdir(), 'osm-v2v-test-'));
    const base = join(work, 'tmp');
    mkdirSync(base);
    const { command, recordFile } = writeStandIn(work, { exitCode });
    const result = await runVirtV2v({ spec, password, cloudsYaml: cloudsYaml(cloud, V2V_CLOUD_NAME), command, baseDir: base });
    return { record: readRecord(recordFile), base, result };
  }

  it('gives the password as a 0600 file without newline in a 0700 directory, never on argv or stdin, and removes it', async () => {
    const { record, base, result } = await run(0);
    assert.equal(result.rc, 0);
    assert.match(result.stdout, /stand-in virt-v2v done/);
    assert.equal(record.passwordFileMode, '600');
    assert.equal(record.privateDirMode, '700');
    assert.equal(record.password, password);
    assert.equal(record.cloudsFileMode, '600');
    assert.equal(record.osCloud, V2V_CLOUD_NAME);
    assert.equal(record.stdin, '');
    assert.ok(!record.argv.some((a) => a.includes(password)), 'password on argv');
    assert.deepEqual(result.cmd.slice(1), record.argv);
    assert.ok(!JSON.stringify(result).includes(password));
    assert.equal(existsSync(record.passwordFile), false, 'password file left behind');
    assert.deepEqual(readdirSync(base), [], 'private directory left behind');
  });

  it('a failing virt-v2v: its exit code and output are returned, and the files are gone too', async () => {
    const { record, base, result } = await run(3);
    assert.equal(result.rc, 3);
    assert.match(result.stderr, /stand-in virt-v2v failing/);
    assert.equal(existsSync(record.passwordFile), false);
    assert.deepEqual(readdirSync(base), []);
  });

  it('a virt-v2v that cannot be started fails naming it, and leaves nothing', async () => {
    const base = mkdtempSync(join(tmpdir(), 'osm-v2v-test-'));
    await assert.rejects(runVirtV2v({ spec, password, cloudsYaml: cloudsYaml(cloud, V2V_CLOUD_NAME), command: join(base, 'no-such-virt-v2v'), baseDir: base }), /cannot run .*no-such-virt-v2v.*install virt-v2v/);
    assert.deepEqual(readdirSync(base), []);
  });

  it('an abort kills virt-v2v and removes the files', async () => {
    const work = mkdtempSync(join(tmpdir(), 'osm-v2v-test-'));
    const base = join(work, 'tmp');
    mkdirSync(base);
    const { command, recordFile } = writeStandIn(work, { exitCode: 0, sleepSeconds: 30 });
    const controller = new AbortController();
    const started = Date.now();
    const p = runVirtV2v({ spec, password, cloudsYaml: cloudsYaml(cloud, V2V_CLOUD_NAME), command, baseDir: base, signal: controller.signal });
    while (!existsSync(recordFile)) await new Promise((r) => setTimeout(r, 20));
    controller.abort(new Error('interrupted by SIGTERM'));
    await assert.rejects(p, /interrupted by SIGTERM/);
    assert.ok(Date.now() - started < 10_000, 'the stand-in was not killed');
    assert.deepEqual(readdirSync(base), []);
  });
});
