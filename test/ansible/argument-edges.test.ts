import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readArgsFile, splitInternals } from '../../src/ansible/args.js';
import { renderUsage } from '../../src/ansible/docs.js';
import { parseParams } from '../../src/ansible/module.js';
import deleteFlavor from '../../src/modules/delete_flavor.js';
import importWorkloads from '../../src/modules/import_workloads.js';
import migrate from '../../src/modules/migrate.js';
import vmwareInventory from '../../src/modules/vmware_inventory.js';

const vcenter = { user: 'u', password: 'p', server: 'vc', vmname: 'vm' };
const workload = { vm_name: 'vm', os_migrate_vmw_data_dir: '/tmp', vcenter_hostname: 'vc', vcenter_username: 'u', vcenter_password: 'p' };

/** The arguments as Ansible hands them over: parsed from the JSON args file. */
function fromArgsFile(json: string): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'osm-edges-'));
  writeFileSync(join(dir, 'args'), json);
  return splitInternals(readArgsFile(join(dir, 'args'))).params;
}

describe('argument edges', () => {
  it('refuses __proto__ as an unknown argument instead of dropping it, at the top and after a case fold', () => {
    for (const [def, base] of [[deleteFlavor, '"cloud": "c", "name": "f"'], [migrate, '"user": "u", "password": "p", "server": "vc", "vmname": "vm"']] as const) {
      const params = fromArgsFile(`{${base}, "__proto__": {"polluted": true}}`);
      assert.throws(() => parseParams(def, params), /unsupported argument '__proto__'/, def.name);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    }
  });

  it('refuses a port outside 1..65535 on both migration modules', () => {
    assert.throws(() => parseParams(migrate, { ...vcenter, esxi_ssh_port: 70000 }), /argument 'esxi_ssh_port' must be at most 65535/);
    assert.throws(() => parseParams(importWorkloads, { ...workload, esxi_ssh_port: 70000 }), /argument 'esxi_ssh_port' must be at most 65535/);
    assert.throws(() => parseParams(migrate, { ...vcenter, esxi_ssh_port: 0 }), /argument 'esxi_ssh_port' must be at least 1/);
    assert.equal((parseParams(migrate, { ...vcenter, esxi_ssh_port: 65535 }) as { esxi_ssh_port: number }).esxi_ssh_port, 65535);
    assert.throws(() => parseParams(migrate, { ...vcenter, esxi_https_port: 70000 }), /argument 'esxi_https_port' must be at most 65535/);
    assert.throws(() => parseParams(importWorkloads, { ...workload, esxi_https_port: 0 }), /argument 'esxi_https_port' must be at least 1/);
  });

  it('says "greater than 0" for a rule that needs a number above zero, in every module that has one', () => {
    assert.throws(() => parseParams(migrate, { ...vcenter, shutdown_timeout: 0 }), /argument 'shutdown_timeout' must be greater than 0/);
    assert.throws(() => parseParams(importWorkloads, { ...workload, server_timeout: 0 }), /argument 'server_timeout' must be greater than 0/);
    assert.throws(() => parseParams(deleteFlavor, { cloud: 'c', name: 'f', timeout: 0 }), /argument 'timeout' must be greater than 0/);
  });

  it('lists the aliases of an option in --help, so the names the README uses are there', () => {
    const usage = renderUsage(vmwareInventory);
    assert.match(usage, /^ {2}vcenter_ca_file \(str\) \[aliases: vmware_ca_file\]: /m);
  });
});
