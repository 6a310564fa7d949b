import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { optionsSchema, parseParams } from '../../../src/ansible/module.js';
import importWorkloadsModule from '../../../src/modules/import_workloads.js';
import migrateModule from '../../../src/modules/migrate.js';
import { importWorkloadsNames, migrationRequest, sharedParams } from '../../../src/modules/options/migration.js';
import { repoRoot } from '../../helpers/run-module.js';

/**
 * Every setting a user of the import_workloads role can give the migration: the role variable (upstream's name where
 * upstream has one), the `migrate` argument upstream's role passed it as (or this collection's), and a value unlike
 * any default.
 */
const roleSettings: { variable: string; migrate: string; value: unknown; with?: Record<string, unknown> }[] = [
  { variable: 'dst_cloud', migrate: 'dst_cloud', value: { auth: { auth_url: 'https://keystone.example:5000/v3', username: 'u', password: 'os-pw-1' }, region_name: 'RegionTwo' } },
  { variable: 'vcenter_hostname', migrate: 'server', value: 'vcenter.example:8443' },
  { variable: 'vcenter_username', migrate: 'user', value: 'migrator@vsphere.local' },
  { variable: 'vcenter_password', migrate: 'password', value: 'vc-s3cret' },
  { variable: 'vmware_insecure', migrate: 'vmware_insecure', value: true },
  { variable: 'vmware_ca_file', migrate: 'vmware_ca_file', value: '/etc/pki/vcenter.pem' },
  { variable: 'vmware_thumbprint', migrate: 'vmware_thumbprint', value: 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01' },
  { variable: 'disk_source', migrate: 'disk_source', value: 'ssh' },
  { variable: 'libdir', migrate: 'libdir', value: '/opt/vmware-vix-disklib' },
  { variable: 'vddk_compression', migrate: 'compression', value: 'zlib' },
  { variable: 'local_disk_path', migrate: 'localdiskpath', value: '/srv/nfs' },
  { variable: 'esxi_ssh_user', migrate: 'esxi_ssh_user', value: 'migrator' },
  { variable: 'esxi_ssh_key_path', migrate: 'esxi_ssh_key_path', value: '/root/.ssh/esxi_ed25519' },
  { variable: 'esxi_ssh_key_passphrase', migrate: 'esxi_ssh_key_passphrase', value: 'key-pass-phrase-1' },
  { variable: 'esxi_ssh_port', migrate: 'esxi_ssh_port', value: 2222 },
  { variable: 'esxi_ssh_known_hosts', migrate: 'esxi_ssh_known_hosts', value: '/etc/os-migrate/known_hosts' },
  { variable: 'https_via_esxi', migrate: 'https_via_esxi', value: false },
  { variable: 'esxi_https_port', migrate: 'esxi_https_port', value: 8443 },
  { variable: 'availability_zone', migrate: 'volumeaz', value: 'az-2' },
  { variable: 'cinder_volume_type', migrate: 'volumetype', value: 'ceph-hdd' },
  { variable: 'volume_type_mapping', migrate: 'volume_type_mapping', value: [{ vmware_datastore: 'datastore1', openstack_type: 'ceph-ssd' }] },
  { variable: 'destination_assume_zeroed', migrate: 'assumezero', value: true },
  { variable: 'cbt_sync', migrate: 'cbtsync', value: true },
  { variable: 'migration_target', migrate: 'migration_target', value: 'image' },
  { variable: 'staging_dir', migrate: 'staging_dir', value: '/srv/staging', with: { migration_target: 'image' } },
  { variable: 'image_disk_format', migrate: 'image_disk_format', value: 'qcow2', with: { migration_target: 'image' } },
  { variable: 'keep_images', migrate: 'keep_images', value: true, with: { migration_target: 'image' } },
  { variable: 'cutover', migrate: 'cutover', value: true },
  { variable: 'skip_conversion', migrate: 'skipconversion', value: true },
  { variable: 'multidiskfs', migrate: 'multidiskfs', value: true },
  { variable: 'extra_opts', migrate: 'extraopts', value: '--key LUKS -x' },
  { variable: 'boot_script_path', migrate: 'bootscript', value: '/opt/os-migrate/firstboot.sh' },
  { variable: 'debug', migrate: 'debug', value: true },
  { variable: 'instance_uuid', migrate: 'instanceuuid', value: '0b5b7c7e-53b5-4d83-8f5c-0c8b0a3d5d11' },
  { variable: 'disk_by_id_dir', migrate: 'disk_by_id_dir', value: '/dev/disk/by-path' },
  { variable: 'verify_disks', migrate: 'verify', value: true },
  { variable: 'allow_empty_disks', migrate: 'allow_empty_disks', value: true },
  { variable: 'shutdown_timeout', migrate: 'shutdown_timeout', value: 900 },
  { variable: 'force_power_off', migrate: 'force_power_off', value: false },
  { variable: 'source_power_off', migrate: 'source_power_off', value: false },
];

/** migrate options a role user cannot set, and why. */
const notFromTheRole: Record<string, string> = {
  vmname: 'the role migrates each VM of vms_list (vm_name)',
  vddkpath: "the VM's folder comes from its metadata (hw_folder in import_workloads.json)",
  runscript: "the network script that keeps the NIC names is generated per VM from its NICs, as upstream's role passes its generated network_config.sh",
  externalvolume: "names one backend volume of one single-disk VM, while the role's variables apply to every VM of vms_list (upstream's role does not expose it)",
  volumename: 'with externalvolume (see there)',
  hostpool: 'with externalvolume (see there)',
  convhostname: "instance_uuid names a conversion host that the metadata service and the DMI UUID cannot (upstream's role does not pass a name either)",
};

const roleDir = join(repoRoot, 'roles', 'import_workloads');
const defaults = parse(readFileSync(join(roleDir, 'defaults', 'main.yml'), 'utf8')) as Record<string, unknown>;
const batch = parse(readFileSync(join(roleDir, 'tasks', 'batch.yml'), 'utf8')) as Record<string, unknown>[];
const moduleTask = batch.find((t) => 'os_migrate.vmware_migration_kit.import_workloads' in t);
const passed = (moduleTask?.['os_migrate.vmware_migration_kit.import_workloads'] ?? {}) as Record<string, string>;

/** The first variable a template reads: `{{ import_workloads_cbt_sync | bool }}` -> import_workloads_cbt_sync. */
const firstVariable = (template: unknown) => /\{\{[\s([]*([A-Za-z_]\w*)/.exec(String(template))?.[1];

/** The user variable behind an import_workloads argument the role passes, through the role's defaults. */
function userVariableOf(argument: string): string | undefined {
  const v = firstVariable(passed[argument]);
  return v !== undefined && v in defaults ? firstVariable(defaults[v]) : v;
}

const migrateProps = optionsSchema(migrateModule).properties ?? {};
const workloadsProps = optionsSchema(importWorkloadsModule).properties ?? {};
const effective = (props: typeof migrateProps) => Object.keys(props).filter((k) => props[k]!.noEffect === undefined);
const workloadsName = (migrateName: string) => (importWorkloadsNames as Record<string, string>)[migrateName] ?? migrateName;

function requestThroughMigrate(args: Record<string, unknown>) {
  return migrationRequest(parseParams(migrateModule, { vmname: 'rhel-1', ...args }) as never);
}
function requestThroughImportWorkloads(args: Record<string, unknown>) {
  const p = parseParams(importWorkloadsModule, { vm_name: 'rhel-1', os_migrate_vmw_data_dir: '/opt/os-migrate', ...args }) as Record<string, unknown>;
  return migrationRequest(sharedParams(p, importWorkloadsNames));
}

describe('the migration options of migrate and import_workloads', () => {
  it('the role passes its task to import_workloads', () => {
    assert.ok(moduleTask, 'roles/import_workloads/tasks/batch.yml runs os_migrate.vmware_migration_kit.import_workloads');
  });

  it('every migrate option is either a role setting or listed with the reason the role cannot set it', () => {
    const covered = new Set([...roleSettings.map((s) => s.migrate), ...Object.keys(notFromTheRole)]);
    assert.deepEqual(effective(migrateProps).filter((k) => !covered.has(k)), []);
    for (const k of covered) assert.ok(k in migrateProps && migrateProps[k]!.noEffect === undefined, `${k} is a migrate option with an effect`);
  });

  it('every migrate option has an import_workloads counterpart, apart from the VM and its folder', () => {
    const missing = effective(migrateProps).filter((k) => !['vmname', 'vddkpath'].includes(k) && !(workloadsName(k) in workloadsProps));
    assert.deepEqual(missing, []);
  });

  for (const s of roleSettings) {
    it(`${s.variable}: the role passes it to import_workloads as ${workloadsName(s.migrate)}, which reaches the workflow as migrate's ${s.migrate} does`, () => {
      const arg = Object.keys(passed).find((a) => userVariableOf(a) === s.variable);
      assert.equal(arg, workloadsName(s.migrate), `the role passes ${s.variable} as an import_workloads argument`);
      const base = requestThroughMigrate({ user: 'u', password: 'vc-pw-1', server: 'vc', ...s.with });
      const viaMigrate = requestThroughMigrate({ user: 'u', password: 'vc-pw-1', server: 'vc', ...s.with, [s.migrate]: s.value });
      const viaRole = requestThroughImportWorkloads({ vcenter_username: 'u', vcenter_password: 'vc-pw-1', vcenter_hostname: 'vc', ...s.with, [arg!]: s.value });
      assert.notDeepEqual(viaMigrate, base, `${s.migrate}: the value changes the request`);
      assert.deepEqual(viaRole, viaMigrate);
    });
  }

  it('all settings at once give the same request, and so do the defaults', () => {
    const viaMigrate = requestThroughMigrate(Object.fromEntries(roleSettings.map((s) => [s.migrate, s.value])));
    const viaRole = requestThroughImportWorkloads(Object.fromEntries(roleSettings.map((s) => [workloadsName(s.migrate), s.value])));
    assert.deepEqual(viaRole, viaMigrate);
    const defaultsOnly = { user: 'u', password: 'vc-pw-1', server: 'vc' };
    assert.deepEqual(requestThroughImportWorkloads({ vcenter_username: 'u', vcenter_password: 'vc-pw-1', vcenter_hostname: 'vc' }), requestThroughMigrate(defaultsOnly));
    assert.equal(requestThroughMigrate(defaultsOnly).assumeZero, false, "assumezero's module default is upstream's migrate default");
  });

  it("the role keeps upstream's defaults for assume-zero (true) and merges openstack_insecure into the cloud", () => {
    assert.match(String(defaults.import_workloads_nbdkit_assume_zero), /destination_assume_zeroed \| default\(true\)/);
    assert.match(String(defaults.import_workloads_cloud), /import_workloads_openstack_insecure/);
    assert.equal(firstVariable(defaults.import_workloads_openstack_insecure), 'openstack_insecure');
  });

  it('the role passes no argument import_workloads does not know', () => {
    assert.deepEqual(Object.keys(passed).filter((a) => !(a in workloadsProps)), []);
  });

  it('a migrate option the role cannot set is still refused when misspelt, and externalvolume needs its volume', () => {
    assert.throws(() => requestThroughImportWorkloads({ vcenter_username: 'u', vcenter_password: 'vc-pw-1', vcenter_hostname: 'vc', cbtsync: true }), /unsupported argument 'cbtsync'/);
    assert.throws(() => requestThroughMigrate({ user: 'u', password: 'vc-pw-1', server: 'vc', externalvolume: true, volumename: 'lun-7' }), /externalvolume needs volumename .* and hostpool/);
  });
});
