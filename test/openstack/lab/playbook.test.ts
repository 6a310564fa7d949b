import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createVolume, setBootable } from '../../../src/openstack/volume.js';
import { safeVmName } from '../../../src/util/names.js';
import { toolFlavorName } from '../../../src/workflow/flavor.js';
import { deleteToolStack } from '../../../src/workflow/teardown.js';
import { cloudDict, labFacts, root, session, uniqueName } from './lab.js';

const GiB = 1024 ** 3;

/** Every OpenStack module of the collection through ansible-playbook, run twice: the second run changes nothing. */
test('all OpenStack modules through ansible-playbook; a second run reports no change', async () => {
  const f = labFacts();
  const work = mkdtempSync(join(tmpdir(), 'osm-play-'));
  const ns = join(work, 'collections', 'ansible_collections', 'os_migrate');
  mkdirSync(ns, { recursive: true });
  symlinkSync(root, join(ns, 'vmware_migration_kit'));
  const vm = uniqueName('osm-play');
  const safe = safeVmName(vm);
  const data = join(work, 'data', vm);
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'guest_info.json'), JSON.stringify({ hw_processor_count: 2, hw_memtotal_mb: 4096, hw_folder: '/DC0/vm' }));
  writeFileSync(join(data, 'disk_info.json'), JSON.stringify({ disks: [{ capacity: 8 * GiB }, { capacity: GiB }], disk_keys: ['2000', '2001'] }));
  writeFileSync(join(data, 'nics.json'), JSON.stringify([{ vlan: 'frontier-net', mac: `fa:16:3e:7a:${(process.pid % 250).toString(16).padStart(2, '0')}:${(Date.now() % 250).toString(16).padStart(2, '0')}`, ipaddresses: [] }]));

  const s = await session();
  const boot = await createVolume(s, { name: `${safe}-2000`, sizeGiB: 1, metadata: { converted: 'true' } }, { timeoutMs: 120_000, intervalMs: 1000 });
  await setBootable(s, boot.id, true);
  const dataVol = await createVolume(s, { name: `${safe}-2001`, sizeGiB: 1, metadata: { converted: 'false' } }, { timeoutMs: 120_000, intervalMs: 1000 });
  // The Heat stack boots a second VM from its own volume (create_server's server holds the first).
  const heatVm = `${vm}-heat`;
  const heatBoot = await createVolume(s, { name: `${safeVmName(heatVm)}-2000`, sizeGiB: 1, metadata: { converted: 'true' } }, { timeoutMs: 120_000, intervalMs: 1000 });
  await setBootable(s, heatBoot.id, true);
  const stackName = `os-migrate-${safe}`;

  const vars = { dst_cloud: cloudDict(), vm_name: vm, heat_vm: heatVm, heatboot: heatBoot.id, stack: stackName, d: data, boot: boot.id, datavol: dataVol.id, key: f.keypair.name, work };
  writeFileSync(join(work, 'vars.json'), JSON.stringify(vars));
  const m = 'os_migrate.vmware_migration_kit';
  const deploy = `- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - ${m}.best_match_flavor: {cloud: "{{ dst_cloud }}", guest_info_path: "{{ d }}/guest_info.json", disk_info_path: "{{ d }}/disk_info.json"}
      register: best
    - ${m}.export_flavor: {path: "{{ d }}/flavors.yml", guest_info_path: "{{ d }}/guest_info.json", disk_info_path: "{{ d }}/disk_info.json", vm_name: "{{ vm_name }}"}
    - ${m}.import_flavor: {cloud: "{{ dst_cloud }}", flavors_file: "{{ d }}/flavors.yml"}
      register: imported
    - ${m}.create_flavor: {cloud: "{{ dst_cloud }}", vm_name: "{{ vm_name }}", vcpus: 2, ram: 4096, disk: 0}
    - ${m}.flavor_info: {cloud: "{{ dst_cloud }}", flavor_name: "{{ best.openstack_flavor_uuid }}"}
      register: flavor
    - ${m}.create_network_port: {cloud: "{{ dst_cloud }}", os_migrate_nics_file_path: "{{ d }}/nics.json", vm_name: "{{ vm_name }}", used_mapped_networks: true, security_groups: [osm-sg]}
      register: ports
    - ${m}.volume_metadata_info: {dst_cloud: "{{ dst_cloud }}", volume_id: "{{ boot }}"}
      register: converted
    - ${m}.volume_info: {cloud: "{{ dst_cloud }}", name: "${safe}-2000"}
    - ${m}.create_server: {cloud: "{{ dst_cloud }}", name: "{{ vm_name }}", flavor: "{{ flavor.flavor.id }}", boot_volume: "{{ boot }}", volumes: ["{{ datavol }}"], nics: "{{ ports.ports }}", key_name: "{{ key }}", security_groups: [osm-sg]}
      when: converted.converted
    - ${m}.generate_heat_template:
        stack_name: "{{ stack }}"
        output_dir: "{{ work }}/heat"
        vms_data: [{name: "{{ heat_vm }}", boot_volume_id: "{{ heatboot }}", flavor: "{{ flavor.flavor.id }}", network: frontier-net, security_groups: [osm-sg]}]
      register: heat_template
    - ${m}.create_heat_stack: {cloud: "{{ dst_cloud }}", template_path: "{{ heat_template.template_path }}", stack_name: "{{ stack }}", parameters: "{{ heat_template.parameters }}", output_dir: "{{ work }}/heat", timeout: 300}
`;
  const teardown = (flavors: string[]) => `- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - ${m}.delete_server: {cloud: "{{ dst_cloud }}", name: "{{ vm_name }}"}
    - ${m}.delete_volume: {cloud: "{{ dst_cloud }}", name: "{{ item }}"}
      loop: ["{{ boot }}", "{{ datavol }}", "{{ heatboot }}"]
    - ${m}.delete_port: {cloud: "{{ dst_cloud }}", name: "${safe}-NIC-0-VLAN-frontier-net"}
    - ${m}.delete_flavor: {cloud: "{{ dst_cloud }}", name: "{{ item }}"}
      loop: ${JSON.stringify(flavors)}
`;
  writeFileSync(join(work, 'deploy.yml'), deploy);
  const run = (book: string, check = false) => {
    const p = spawnSync('ansible-playbook', ['-i', 'localhost,', '-e', `@${join(work, 'vars.json')}`, ...(check ? ['--check'] : []), join(work, book)], {
      env: { ...process.env, ANSIBLE_COLLECTIONS_PATH: join(work, 'collections'), ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_LOCALHOST_WARNING: 'False', ANSIBLE_NOCOLOR: '1' },
      encoding: 'utf8',
      timeout: 600_000,
    });
    const out = JSON.parse(p.stdout) as { plays: Array<{ tasks: Array<{ task: { name: string }; hosts: { localhost: Record<string, unknown> } }> }>; stats: { localhost: { failures: number; changed: number } } };
    const failed = out.plays[0]!.tasks.filter((t) => t.hosts.localhost.failed).map((t) => `${t.task.name}: ${String(t.hosts.localhost.msg)}`);
    assert.equal(out.stats.localhost.failures, 0, `${book} failed: ${failed.join('\n')}\n${p.stderr}`);
    return out;
  };
  writeFileSync(join(work, 'teardown.yml'), teardown([toolFlavorName(vm, { vcpus: 2, ram: 4096, disk: 9 }), toolFlavorName(vm, { vcpus: 2, ram: 4096, disk: 0 })]));
  // Heat deletes the stack's server; the volumes it only referenced go with the teardown playbook.
  const deleteStack = async () => {
    const s2 = await session();
    try {
      return await deleteToolStack(s2, { name: stackName, wait: true, waitOpts: { timeoutMs: 300_000, intervalMs: 2000 }, checkMode: false });
    } finally {
      await s2.close();
    }
  };
  try {
    const first = run('deploy.yml');
    const changedFirst = first.plays[0]!.tasks.filter((t) => t.hosts.localhost.changed).map((t) => t.task.name);
    assert.ok(changedFirst.some((n) => n.endsWith('create_server')), `create_server did not run: ${changedFirst.join(', ')}`);
    const stackTask = first.plays[0]!.tasks.find((t) => t.task.name.endsWith('create_heat_stack'))!.hosts.localhost;
    assert.equal((stackTask.stack as { status: string }).status, 'CREATE_COMPLETE');
    assert.equal(stackTask.changed, true);
    const second = run('deploy.yml');
    assert.equal(second.stats.localhost.changed, 0, `second deploy changed: ${second.plays[0]!.tasks.filter((t) => t.hosts.localhost.changed).map((t) => t.task.name).join(', ')}`);
    assert.equal((await deleteStack()).changed, true, 'the stack was there to delete');
    assert.ok(run('teardown.yml', true).stats.localhost.changed > 0, 'check-mode teardown predicts changes');
    assert.ok(run('teardown.yml').stats.localhost.changed >= 4, 'teardown deleted nothing');
    assert.equal(run('teardown.yml').stats.localhost.changed, 0, 'second teardown changed something');
  } finally {
    // Whatever failed above, leave the lab as it was.
    await deleteStack().catch(() => undefined);
    spawnSync('ansible-playbook', ['-i', 'localhost,', '-e', `@${join(work, 'vars.json')}`, join(work, 'teardown.yml')], {
      env: { ...process.env, ANSIBLE_COLLECTIONS_PATH: join(work, 'collections') },
      timeout: 600_000,
    });
  }
});
