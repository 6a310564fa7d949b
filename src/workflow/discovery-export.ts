import { join } from 'node:path';
import type { VSphereSession } from '../vmware/session.js';
import type { VmDetail } from '../vmware/vm.js';
import { discover, resolveVms } from './discovery.js';
import { type NetworkMapping, niceJson, vmFiles } from './discovery-files.js';
import { type InventoryReport, inventoryReport, inventorySummary } from './discovery-report.js';
import { type FileSet, changedFiles, writeChangedFiles } from './discovery-write.js';

export const INVENTORY_JSON = 'vmware_inventory.json';
export const INVENTORY_SUMMARY = 'vmware_inventory.txt';

export interface ExportRequest {
  dataDir: string;
  /** VMs whose upstream files (`<vm>/guest_info.json`, …) are written; may be empty. */
  vmNames: string[];
  /** Also write the whole-inventory JSON and summary. */
  wholeInventory: boolean;
  network: NetworkMapping;
  /** Compute and compare only; write nothing. */
  checkMode: boolean;
}

export interface ExportResult {
  changed: boolean;
  /** Absolute paths of the files written (check mode: that would be written). */
  changedFiles: string[];
  vms: { name: string; moid: string; path: string; disks: number; nics: number; dir: string }[];
  totals: InventoryReport['totals'] | undefined;
}

/** Discover and write (or, in check mode, compare) the export_metadata files and the inventory view. */
export async function exportDiscovery(session: VSphereSession, req: ExportRequest): Promise<ExportResult> {
  const d = await discover(session, req.wholeInventory ? undefined : req.vmNames);
  const byMoid = new Map(d.vms.map((vm) => [vm.moid, vm]));
  const selected = req.wholeInventory
    ? resolveVms(d.inventory, req.vmNames, d.server).map((e) => byMoid.get(e.moid) as VmDetail)
    : d.vms;
  const files: FileSet = {};
  for (const vm of selected) {
    for (const [name, content] of Object.entries(vmFiles(vm, req.network))) files[join(vm.name, name)] = content;
  }
  let totals: InventoryReport['totals'] | undefined;
  if (req.wholeInventory) {
    const report = inventoryReport(d);
    totals = report.totals;
    files[INVENTORY_JSON] = niceJson(report);
    files[INVENTORY_SUMMARY] = inventorySummary(report);
  }
  const changed = req.checkMode ? changedFiles(req.dataDir, files) : writeChangedFiles(req.dataDir, files);
  return {
    changed: changed.length > 0,
    changedFiles: changed.map((rel) => join(req.dataDir, rel)),
    vms: selected.map((vm) => ({ name: vm.name, moid: vm.moid, path: vm.path, disks: vm.disks.length, nics: vm.nics.length, dir: join(req.dataDir, vm.name) })),
    totals,
  };
}
