/**
 * A user switching from upstream's kit mid-migration: upstream left a VM's server, port (with the VMware MAC) and
 * flavor, none marked. The migration playbook with os_migrate_tear_down refuses them; with accept_upstream_names it
 * removes exactly those (reported one by one), in check mode only reports them, and never touches the decoys.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { Session } from '../../src/openstack/auth.js';
import { getFlavor } from '../../src/openstack/flavors.js';
import { getServer } from '../../src/openstack/servers.js';
import { connect } from '../../src/openstack/connect.js';
import { getPort, listPorts } from '../../src/openstack/network.js';
import { safeVmName } from '../../src/util/names.js';
import { importWorkload } from '../../src/workflow/import-workloads.js';
import { type InstalledCollection, installCollection } from '../helpers/collection.js';
import {
  cleanLabVm,
  envDir,
  importResults,
  labDstCloud,
  labMigration as migration,
  labVm,
  openstackFacts,
  toolServer,
  toolVolumes,
} from '../helpers/lab-migration.js';
import { UpstreamObjects, mac } from '../helpers/upstream-objects.js';
import { labFacts } from '../openstack/lab/lab.js';
import { localSource, openstack as openstackLab, request, testLogger } from '../workflow/migrate-lab.js';

// A VM name upstream sanitises: server and ports use osm_name_e_spaces, the flavor the raw name.
const VM = 'osm ñame é spaces';
const SAFE = safeVmName(VM);

type Kind = 'server' | 'port' | 'flavor';
const KINDS: Kind[] = ['server', 'port', 'flavor'];

interface Teardown {
  kind: string;
  id: string | null;
  name: string | null;
  accepted: string | null;
  changed: boolean;
  msg: string;
}

describe('teardown of what upstream left, through the migration playbook', () => {
  let c: InstalledCollection;
  let s: Session;
  let made: UpstreamObjects;
  const upstream: Record<Kind, string> = { server: '', port: '', flavor: '' };
  const decoys: Array<[Kind, string]> = [];
  const exists = async (kind: Kind, id: string) => ({ server: getServer, port: getPort, flavor: getFlavor })[kind](s, id).then((x) => x !== undefined);
  const upstreamEntries = (r: Record<string, unknown>) => (r.teardown as Teardown[]).filter((t) => t.accepted === `upstream name for VM ${VM}`);

  before(async () => {
    c = installCollection();
    s = await connect(labDstCloud() as Parameters<typeof connect>[0]);
    await cleanLabVm(s, VM);
    made = new UpstreamObjects(s);
    const f = labFacts();
    const frontier = f.networks['frontier-net']!.id;
    const flavor = f.flavors['m1.small-bfv']!;
    // What upstream made: the port holds the VM's MAC, the server its name.
    upstream.port = await made.port(`${SAFE}-NIC-0-VLAN-frontier-net`, frontier, labVm(VM).nics[0]!.mac);
    upstream.server = await made.server(SAFE, flavor, await made.volume(`${SAFE}-upstream-boot`, {}, true), upstream.port);
    upstream.flavor = await made.flavor(`osm-vmware-${VM}-4242`);
    const otherPort = await made.port(`${SAFE}-2-NIC-0-VLAN-frontier-net`, frontier, mac(31));
    decoys.push(
      ['server', await made.server(`${SAFE}-2`, flavor, await made.volume(`${SAFE}-2-boot`, {}, true), otherPort)],
      ['port', otherPort],
      ['port', await made.port(`${SAFE}-NIC-1-VLAN-public`, frontier, mac(32))],
      ['flavor', await made.flavor(`osm-vmware-${SAFE}-4242`)],
      ['flavor', await made.flavor(`osm-vmware-${VM}-99999`)],
    );
  });

  after(async () => {
    await made?.cleanup();
    if (s) await cleanLabVm(s, VM);
    await s?.close();
  });

  it('by default refuses: the run fails on the port upstream left, which is kept', async () => {
    const run = migration(c, { vms_list: [VM], os_migrate_tear_down: true });
    assert.notEqual(run.code, 0);
    const [r] = importResults(run);
    assert.match(String(r!.msg), new RegExp(`MAC ${labVm(VM).nics[0]!.mac} is already used .* by port ${upstream.port} .*which this tool did not create`));
    for (const kind of KINDS) assert.ok(await exists(kind, upstream[kind]), `${kind} deleted`);
  });

  it('in check mode reports upstream\'s server, port and flavor of the VM and deletes nothing', async () => {
    // The role runs the module async, which Ansible refuses in check mode: the module's workflow, as the role calls it.
    const vars = parse(readFileSync(join(envDir, 'myvars.yml'), 'utf8')) as { os_migrate_vmw_data_dir: string };
    const { vmName, folder, ...migrate } = request(VM, { source: localSource(VM), instanceUuid: openstackLab().conversion_host.uuid });
    assert.equal(vmName, VM);
    assert.ok(folder);
    const r = await importWorkload(
      VM,
      {
        dataDir: vars.os_migrate_vmw_data_dir,
        migrate,
        ports: { create: true, usedMappedNetworks: false, networkName: 'frontier-net', securityGroups: ['osm-sg'], useFixedIps: false, subnet: undefined },
        server: { create: true, keyName: undefined, availabilityZone: undefined, userData: undefined, bootFromCinder: false, timeoutMs: 600_000, heat: { enabled: false, autoDeploy: true } },
        teardown: { enabled: true, server: true, volumes: true, ports: true, upstreamNames: true },
        rollbackOnFailure: true,
      },
      { log: testLogger(), signal: new AbortController().signal, checkMode: true },
    );
    // The refused run above left the VM's disks final (copied, then kept by rollback_on_failure), so a teardown only
    // deletes: no copy again.
    assert.match(r.msg, new RegExp(`^Check mode: ${VM} was migrated already \\(1 final volumes\\): would be torn down without copying again`));
    const found = r.teardown.filter((t) => t.accepted === `upstream name for VM ${VM}`);
    assert.deepEqual(found.map((t) => [t.kind, t.id]).sort(), [['flavor', upstream.flavor], ['port', upstream.port], ['server', upstream.server]].sort());
    for (const t of found) assert.match(t.msg, /would be deleted \(upstream name for VM /);
    for (const kind of KINDS) assert.ok(await exists(kind, upstream[kind]), `check mode deleted the ${kind}`);
  });

  it('with accept_upstream_names removes them and tears down its own without copying again; decoys kept; a rerun finds nothing of upstream', async () => {
    const run = migration(c, { vms_list: [VM], os_migrate_tear_down: true, accept_upstream_names: true });
    const [r] = importResults(run);
    assert.equal(run.code, 0, String(r?.msg));
    const found = upstreamEntries(r!);
    assert.deepEqual(found.map((t) => [t.kind, t.id, t.changed]).sort(), [['flavor', upstream.flavor, true], ['port', upstream.port, true], ['server', upstream.server, true]].sort());
    assert.deepEqual(found.find((t) => t.kind === 'server')?.name, SAFE);
    for (const kind of KINDS) assert.equal(await exists(kind, upstream[kind]), false, `upstream's ${kind} still exists`);
    // The tool's own objects went by their marker: the volume the refused run left (it never got a port or a server,
    // upstream's port held the MAC).
    const own = (r!.teardown as Teardown[]).filter((t) => t.accepted === 'tool marker');
    assert.deepEqual([...new Set(own.map((t) => t.kind))].sort(), ['volume']);
    assert.equal(await toolServer(s, VM), undefined);
    assert.deepEqual(await toolVolumes(s, VM), []);
    assert.deepEqual(await listPorts(s, { mac_address: labVm(VM).nics[0]!.mac }), []);
    for (const [kind, id] of decoys) assert.ok(await exists(kind, id), `decoy ${kind} ${id} deleted`);
    assert.ok(await getServer(s, openstackFacts.foreign.server_id), 'foreign server kept');

    const again = migration(c, { vms_list: [VM], os_migrate_tear_down: true, accept_upstream_names: true }, 'run_migration_from_conversion_host');
    const [r2] = importResults(again);
    assert.equal(again.code, 0, String(r2?.msg));
    assert.deepEqual(upstreamEntries(r2!), [], 'a rerun found upstream objects again');
    for (const [kind, id] of decoys) assert.ok(await exists(kind, id), `decoy ${kind} ${id} deleted by the rerun`);
  });
});
