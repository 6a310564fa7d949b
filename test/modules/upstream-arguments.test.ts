import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { type ModuleDefinition, optionsSchema, parseParams } from '../../src/ansible/module.js';
import { moduleAliases, moduleLoaders } from '../../src/modules/registry.js';
import { maskSecrets } from '../../src/util/secrets.js';
import { repoRoot } from '../helpers/run-module.js';

const FQCN = 'os_migrate.vmware_migration_kit';
const goModules = [
  'migrate',
  'best_match_flavor',
  'create_heat_stack',
  'create_network_port',
  'create_server',
  'delete_flavor',
  'delete_port',
  'delete_server',
  'delete_volume',
  'flavor_info',
  'generate_heat_template',
  'import_flavor',
  'volume_info',
  'volume_metadata_info',
];
const pythonModules = ['export_flavor', 'import_vmware_volume', 'warn'];

async function load(name: string): Promise<ModuleDefinition> {
  return (await moduleLoaders[moduleAliases[name] ?? name]!()).default;
}

/** Parse as the module does; returns the warnings, or throws the module's refusal. */
async function accept(name: string, args: Record<string, unknown>): Promise<string[]> {
  const warnings: string[] = [];
  parseParams(await load(name), args, (m) => warnings.push(m));
  return warnings;
}
const warnedArguments = (warnings: string[]) => warnings.map((w) => /^argument '([^']+)'/.exec(w)?.[1] ?? w).sort();

const cloud = {
  auth: {
    auth_url: 'https://keystone.example:5000/v3',
    username: 'admin',
    password: 'example-cloud-pw',
    project_name: 'migration',
    user_domain_name: 'Default',
    project_domain_name: 'Default',
  },
  region_name: 'RegionOne',
};
const vms = (n: number) => Array.from({ length: n }, (_, i) => `1f0c${i}a2e-6d0b-4c51-9a3e-5e8d2f4b7c1${i}`);

interface Example {
  module: string;
  what: string;
  args: Record<string, unknown>;
  /** Arguments accepted without effect: one warning each. */
  warns?: string[];
  /** Refused, with the message and why (each is a deliberate difference listed in docs/upstream-differences.md). */
  refused?: { message: RegExp; why: string };
}

/**
 * Upstream's documented examples (the EXAMPLES of its 2.2 `.py` stubs) and the tasks of its roles, with values of our
 * own for its Jinja expressions.
 */
const examples: Example[] = [
  {
    module: 'migrate',
    what: 'the stub example, as written',
    args: {
      dst_cloud: cloud,
      user: 'administrator@vsphere.local',
      password: 'example-vc-pw',
      server: 'vcenter.example',
      vmname: 'haproxy-1',
      osmdatadir: '/opt/os-migrate',
      firstboot: '/opt/os-migrate/haproxy-1/network_config.sh',
      vddkpath: '/Datacenter/vm',
      usesocks: false,
      cbtsync: true,
      cutover: false,
      instanceuuid: vms(1)[0],
      compression: 'zstd',
      debug_mode: true,
      vsphere_insecure: true,
      wait: true,
      timeout: 7200,
    },
    warns: ['debug_mode', 'firstboot', 'osmdatadir', 'timeout', 'usesocks', 'vsphere_insecure', 'wait'],
    refused: { message: /argument 'compression' must be one of: none, zlib, fastlz, skipz; got 'zstd'/, why: "zstd is no VDDK compression: upstream's nbdkit would refuse it too" },
  },
  {
    module: 'migrate',
    what: 'the stub example with a VDDK compression',
    args: { dst_cloud: cloud, user: 'u', password: 'example-vc-pw', server: 'vcenter.example', vmname: 'haproxy-1', osmdatadir: '/opt/os-migrate', firstboot: '/opt/fb.sh', vddkpath: '/Datacenter/vm', usesocks: true, cbtsync: false, cutover: false, instanceuuid: vms(1)[0], compression: 'skipz', debug_mode: true, vsphere_insecure: true, wait: true, timeout: 7200 },
    warns: ['debug_mode', 'firstboot', 'osmdatadir', 'timeout', 'usesocks', 'vsphere_insecure', 'wait'],
  },
  {
    module: 'migrate',
    what: "the task of upstream's import_workloads role",
    args: {
      dst_cloud: { ...cloud, openstack_insecure: false },
      user: 'administrator@vsphere.local',
      password: 'example-vc-pw',
      server: 'vcenter.example',
      vmname: 'rhel-1',
      volumeaz: 'nova',
      volumetype: 'ceph',
      assumezero: true,
      osmdatadir: '/opt/os-migrate',
      runscript: '/opt/os-migrate/rhel-1/network_config.sh',
      bootscript: '/opt/os-migrate/firstboot.sh',
      extraopts: '--key LUKS -x',
      vddkpath: '/Datacenter/vm',
      usesocks: true,
      cbtsync: false,
      cutover: false,
      skipconversion: false,
      instanceuuid: '',
      debug: false,
      vmware_insecure: false,
      localdiskpath: '/srv/nfs',
      libdir: '/usr/lib/vmware-vix-disklib',
      volume_type_mapping: [{ vmware_datastore: 'datastore1', openstack_type: 'ceph-ssd' }],
      multidiskfs: false,
    },
    warns: ['osmdatadir', 'usesocks'],
  },
  {
    module: 'migrate',
    what: 'volume_type_mapping typed as the stub says (a dict)',
    args: { user: 'u', password: 'example-vc-pw', server: 'vc', vmname: 'vm', volume_type_mapping: { datastore1: 'ceph' } },
    refused: { message: /argument 'volume_type_mapping' is of type dict; expected list/, why: "upstream's code needs a list too" },
  },
  {
    module: 'best_match_flavor',
    what: 'the stub example',
    args: { cloud: 'source_cloud', guest_info_path: '/opt/os-migrate/guest_info.json', disk_info_path: '/opt/os-migrate/disk_info.json' },
  },
  {
    module: 'best_match_flavor',
    what: 'with the options the stub lists',
    args: { auth: cloud.auth, auth_type: 'password', region_name: 'RegionOne', guest_info_path: '/g.json', disk_info_path: '/d.json' },
    warns: ['auth', 'auth_type', 'region_name'],
  },
  {
    module: 'create_network_port',
    what: 'the stub example on mapped networks',
    args: { cloud: 'dst', os_migrate_nics_file_path: '/opt/os-migrate/nics_cirros.json', vm_name: 'cirros', used_mapped_networks: true, security_groups: ['default'] },
  },
  {
    module: 'create_network_port',
    what: 'the stub example on one network',
    args: { cloud: 'dst', os_migrate_nics_file_path: '/opt/os-migrate/macs_cirros.json', vm_name: 'cirros', used_mapped_networks: false, security_groups: ['default'], network_name: 'private' },
  },
  {
    module: 'create_network_port',
    what: "the task of upstream's role",
    args: { cloud, os_migrate_nics_file_path: '/opt/os-migrate/rhel-1/nics.json', vm_name: 'rhel-1', used_mapped_networks: true, security_groups: ['default'], use_fixed_ips: true, subnet_uuid: '' },
  },
  {
    module: 'create_server',
    what: 'the stub example with basic settings',
    args: { name: 'new-server-01', auth: cloud.auth, region_name: 'RegionOne', availability_zone: 'nova', flavor_id: 'm1.small', source_vm_json_path: '/tmp/vm_info.json', wait: true, timeout: 1800 },
    warns: ['auth', 'flavor_id', 'region_name', 'source_vm_json_path'],
    refused: { message: /missing required argument 'flavor'.*missing required argument 'boot_volume'/, why: 'upstream sends Nova no flavor and no boot source for it, which Nova refuses' },
  },
  {
    module: 'create_server',
    what: 'the stub example with networks',
    args: { name: 'web-server', auth: cloud.auth, flavor_id: 'm1.small', source_vm_json_path: '/tmp/vm.json', networks: [{ uuid: vms(1)[0], fixed_ip: '192.0.2.10' }], security_groups: ['default', 'web'], key_name: 'admin-key' },
    warns: ['auth', 'flavor_id', 'networks', 'source_vm_json_path'],
    refused: { message: /missing required argument 'flavor'.*missing required argument 'boot_volume'/, why: 'as above' },
  },
  {
    module: 'create_server',
    what: 'the stub example booting from volume',
    args: {
      name: 'database-server',
      auth: cloud.auth,
      flavor_id: 'm1.large',
      source_vm_json_path: '/tmp/vm.json',
      boot_from_volume: true,
      volumes: [{ id: vms(2)[0], device: '/dev/vda', boot_index: 0 }, { id: vms(2)[1], device: '/dev/vdb' }],
      metadata: { environment: 'production', owner: 'dbteam' },
    },
    warns: ['auth', 'boot_from_volume', 'flavor_id', 'source_vm_json_path'],
    refused: { message: /argument 'volumes\[0\]' is of type dict; expected str/, why: "volumes are IDs, as upstream's code needs too" },
  },
  {
    module: 'create_server',
    what: 'the stub example with user data',
    args: { name: 'app-server', auth: cloud.auth, flavor_id: 'm1.small', source_vm_json_path: '/tmp/vm.json', user_data: '#cloud-config\npackages: [nginx]\n' },
    warns: ['auth', 'flavor_id', 'source_vm_json_path'],
    refused: { message: /missing required argument 'flavor'/, why: 'no flavor, no boot source' },
  },
  {
    module: 'create_server',
    what: 'the stub example on a given host',
    args: { name: 'compute-server', auth: cloud.auth, flavor_id: 'm1.small', source_vm_json_path: '/tmp/vm.json', instance_scheduler: { instance_host: 'compute-01' } },
    warns: ['auth', 'flavor_id', 'instance_scheduler', 'source_vm_json_path'],
    refused: { message: /missing required argument 'flavor'/, why: 'no flavor, no boot source' },
  },
  {
    module: 'create_server',
    what: "the task of upstream's role",
    args: {
      cloud,
      state: 'present',
      name: 'rhel-1',
      nics: [{ 'port-id': vms(1)[0] }],
      volumes: vms(2),
      boot_volume: vms(1)[0],
      security_groups: ['default'],
      flavor: '3',
      key_name: '',
      boot_from_cinder: false,
      availability_zone: 'nova',
      user_data: '',
    },
  },
  ...(['delete_flavor', 'delete_port', 'delete_server', 'delete_volume', 'volume_info'] as const).flatMap((module): Example[] => [
    { module, what: 'the stub example', args: { cloud: 'source_cloud', name: 'my-object' } },
    { module, what: 'with the options the stub lists', args: { auth: cloud.auth, auth_type: 'password', region_name: 'RegionOne', name: 'my-object' }, warns: ['auth', 'auth_type', 'region_name'] },
    { module, what: "as upstream's role calls it", args: { cloud, name: vms(1)[0] } },
  ]),
  {
    module: 'volume_metadata_info',
    what: 'the stub examples',
    args: { dst_cloud: cloud, volume_id: vms(1)[0] },
  },
  { module: 'flavor_info', what: "the role's task", args: { cloud, flavor_name: 'osm-vmware-rhel-1-4821' } },
  {
    module: 'flavor_info',
    what: 'the stub example by name',
    args: { dst_cloud: cloud, flavor_name: 'osm-vmware-haproxy-user1' },
    warns: ['dst_cloud'],
  },
  {
    module: 'flavor_info',
    what: 'the stub example by ID',
    args: { dst_cloud: cloud, flavor_id: vms(1)[0] },
    warns: ['dst_cloud', 'flavor_id'],
    refused: { message: /missing required argument 'flavor_name'/, why: 'an empty flavor_name is refused (upstream answers flavor null)' },
  },
  { module: 'flavor_info', what: "the example's dcloud", args: { dcloud: cloud, flavor_name: 'm1.small' }, warns: ['dcloud'] },
  {
    module: 'import_flavor',
    what: 'the stub example',
    args: { cloud, flavors_file: '/opt/os-migrate/rhel-1/flavors.yml' },
  },
  {
    module: 'export_flavor',
    what: 'the stub example (name for flavor_name)',
    args: { path: '/opt/os-migrate/flavors.yml', name: 'my_guest', guest_info_path: '/opt/os-migrate/guest_info.json', disk_info_path: '/opt/os-migrate/disk_info.json' },
  },
  {
    module: 'export_flavor',
    what: "the task of upstream's role",
    args: { path: '/opt/os-migrate/rhel-1/flavors.yml', guest_info_path: '/g.json', disk_info_path: '/d.json', flavor_name: 'osm-vmware-rhel-1-4821' },
  },
  {
    module: 'generate_heat_template',
    what: 'the stub example',
    args: {
      vms_data: [
        { name: 'rhel-1', boot_volume_id: vms(2)[0], data_volume_ids: [vms(2)[1]], flavor: 'm1.medium', network: 'provider-1', security_groups: ['default'] },
        { name: 'rhel-2', boot_volume_id: vms(1)[0], flavor: 'm1.medium', network: 'provider-1', security_groups: ['default'] },
      ],
      stack_name: 'os-migrate-1700000000',
      output_dir: '/opt/os-migrate',
    },
  },
  {
    module: 'generate_heat_template',
    what: 'with the cloud its stub documents',
    args: { cloud, vms_data: [{ name: 'a', boot_volume_id: vms(1)[0], flavor: 'f', network: 'n' }], stack_name: 's', output_dir: '/tmp' },
    warns: ['cloud'],
  },
  {
    module: 'create_heat_stack',
    what: 'the stub example',
    args: { cloud, template_path: '/opt/os-migrate/heat_template.yaml', stack_name: 'os-migrate-1700000000', parameters: { rhel_1_boot_volume_id: vms(1)[0], security_group_id: 'default' }, wait: true, timeout: 600 },
  },
  {
    module: 'create_heat_stack',
    what: "the task of upstream's role",
    args: { cloud, template_path: '/opt/os-migrate/heat_template.yaml', stack_name: 's', parameters: {}, wait: true, timeout: 600, output_dir: '/opt/os-migrate' },
  },
  {
    module: 'import_vmware_volume',
    what: 'the stub example',
    args: {
      vcenter_username: 'administrator@vsphere.local',
      vcenter_hostname: 'vcenter.example',
      vcenter_datacenter: 'Datacenter',
      vcenter_cluster: 'Cluster',
      esxi_hostname: 'esxi01.example',
      vddk_libdir: '/opt/vmware-vix-disklib',
      vddk_thumbprint: '01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67',
      conversion_host_id: 'conversion-host-01',
      vm_name: 'my_vm',
    },
    refused: { message: /missing required argument 'vcenter_password'/, why: 'upstream read the password from the /tmp/passwd its role left; here it is an argument' },
  },
  { module: 'warn', what: 'the stub example', args: { msg: 'Something important!' } },
];

describe("upstream's documented examples", () => {
  it('cover every upstream module', () => {
    assert.deepEqual([...new Set(examples.map((e) => e.module))].sort(), [...goModules, ...pythonModules].sort());
  });

  for (const e of examples) {
    it(`${e.module}: ${e.what} is ${e.refused ? `refused (${e.refused.why})` : 'accepted'}${e.warns ? ', with a warning for each argument without effect' : ''}`, async () => {
      const warnings: string[] = [];
      const run = async () => {
        parseParams(await load(e.module), e.args, (m) => warnings.push(m));
      };
      if (e.refused) await assert.rejects(run, (err: Error) => (assert.match(err.message, e.refused!.message), true));
      else await run();
      assert.deepEqual(warnedArguments(warnings), e.warns ?? []);
      for (const w of warnings) assert.match(w, /has no effect here \(accepted for compatibility with upstream\): \S/);
    });
  }
});

describe('upstream argument handling, and its neighbours', () => {
  for (const name of goModules) {
    it(`${name} matches argument names case-insensitively, as upstream's Go decoding`, async () => {
      assert.equal((await load(name)).caseInsensitiveKeys, true);
    });
  }
  for (const name of pythonModules) {
    it(`${name} keeps exact names, as upstream's Ansible argument checking`, async () => {
      const def = await load(name);
      assert.notEqual(def.caseInsensitiveKeys, true);
      const some = Object.keys(optionsSchema(def).properties ?? {})[0]!;
      await assert.rejects(accept(name, { [some.toUpperCase()]: 'x' }), new RegExp(`unsupported argument '${some.toUpperCase()}'`));
    });
  }

  it('an argument without effect in another case still gives its warning', async () => {
    assert.deepEqual(warnedArguments(await accept('delete_volume', { Cloud: cloud, NAME: 'v', AUTH: cloud.auth, Region_Name: 'r' })), ['auth', 'region_name']);
    assert.deepEqual(warnedArguments(await accept('migrate', { user: 'u', password: 'example-vc-pw', server: 'vc', VMName: 'vm', Debug_Mode: true })), ['debug_mode']);
  });

  it('a misspelt argument is still refused, and the no-effect ones are not offered as supported', async () => {
    await assert.rejects(accept('delete_port', { cloud, name: 'p', regoin_name: 'r' }), /unsupported argument 'regoin_name'; supported: accept_upstream_names, cloud, name, timeout, vm_name, wait$/);
    await assert.rejects(accept('migrate', { user: 'u', password: 'example-vc-pw', server: 'vc', vmname: 'vm', debugmode: true }), /unsupported argument 'debugmode'/);
    await assert.rejects(accept('create_server', { cloud, name: 'n', flavor: 'f', boot_volume: 'b', flavorid: 'x' }), /unsupported argument 'flavorid'/);
  });

  it('a value without effect is not checked, as upstream ignores it', async () => {
    assert.deepEqual(warnedArguments(await accept('migrate', { user: 'u', password: 'example-vc-pw', server: 'vc', vmname: 'vm', timeout: '2h', wait: 'sometimes' })), ['timeout', 'wait']);
  });

  it('secrets inside arguments without effect are still masked', async () => {
    await accept('create_server', { cloud: 'c', name: 'n', flavor: 'f', boot_volume: 'b', auth: { ...cloud.auth, password: 'no-effect-auth-s3cret' } });
    await accept('generate_heat_template', { cloud: { auth: { password: 'no-effect-cloud-s3cret' } }, vms_data: [{ name: 'a', boot_volume_id: 'b', flavor: 'f', network: 'n' }], stack_name: 's', output_dir: '/tmp' });
    await assert.rejects(accept('flavor_info', { dcloud: { auth: { password: 'no-effect-dcloud-s3cret' } }, flavor_name: '' }));
    assert.equal(maskSecrets('a no-effect-auth-s3cret b no-effect-cloud-s3cret c no-effect-dcloud-s3cret'), 'a ******** b ******** c ********');
  });

  it("the collection's own roles and playbooks pass only arguments that have an effect", async () => {
    const files = ['roles', 'playbooks'].flatMap((top) =>
      readdirSync(join(repoRoot, top), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.yml'))
        .map((f) => join(repoRoot, top, f)),
    );
    const calls: { file: string; module: string; args: Record<string, unknown> }[] = [];
    const visit = (node: unknown, file: string) => {
      if (Array.isArray(node)) return node.forEach((n) => visit(n, file));
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k.startsWith(`${FQCN}.`) && v && typeof v === 'object') calls.push({ file, module: k.slice(FQCN.length + 1), args: v as Record<string, unknown> });
        else visit(v, file);
      }
    };
    for (const file of files) for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) visit(doc.toJS(), file);
    assert.ok(calls.length >= 10, `found the module tasks (${calls.length})`);
    for (const c of calls) {
      // An action-only plugin (no module behind it, e.g. wait_for_migrations) validates its own arguments in Python.
      if (!((moduleAliases[c.module] ?? c.module) in moduleLoaders)) {
        assert.ok(existsSync(join(repoRoot, 'plugins', 'action', `${c.module}.py`)), `${c.file}: ${c.module} is neither a module nor an action plugin`);
        continue;
      }
      const props = optionsSchema(await load(c.module)).properties ?? {};
      const aliases = Object.values((await load(c.module)).aliases ?? {}).flat() as string[];
      for (const arg of Object.keys(c.args)) {
        assert.ok(arg in props || aliases.includes(arg), `${c.file}: ${c.module} has no argument ${arg}`);
        assert.equal(props[arg]?.noEffect, undefined, `${c.file}: ${c.module}.${arg} has no effect`);
      }
    }
  });
});

describe('docs/upstream-differences.md lists every upstream argument as the code handles it', () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'upstream-differences.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Arguments: every upstream argument per module'));
  const rows = section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => l.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '')));
  /** The argument names of a cell, leaving out what parentheses explain. */
  const names = (cell: string) => [...cell.replace(/\([^)]*\)/g, '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

  it('has a row for every upstream module', () => {
    assert.deepEqual(rows.flatMap((r) => names(r[0]!)).sort(), [...goModules, ...pythonModules].sort());
  });

  for (const row of rows) {
    for (const module of names(row[0]!)) {
      it(`${module}: the used arguments are options with an effect, and the ones without effect are exactly the module's`, async () => {
        const def = await load(module);
        const props = optionsSchema(def).properties ?? {};
        const aliases = Object.values(def.aliases ?? {}).flat() as string[];
        for (const arg of names(row[1]!)) {
          assert.ok((arg in props && props[arg]!.noEffect === undefined) || aliases.includes(arg), `${module}: ${arg} is used`);
        }
        const noEffect = Object.keys(props).filter((k) => props[k]!.noEffect !== undefined);
        assert.deepEqual(names(row[2]!).sort(), noEffect.sort());
      });
    }
  }
});
