import type { ModuleDefinition } from '../ansible/module.js';

type Loader = () => Promise<{ default: ModuleDefinition }>;

/**
 * Every module the collection ships, by the name Ansible calls it. Each loader imports only that module's code,
 * so a module pays the start-up cost of the libraries it uses and no other.
 */
export const moduleLoaders: Record<string, Loader> = {
  assessment_report: () => import('./assessment_report.js'),
  best_match_flavor: () => import('./best_match_flavor.js'),
  create_flavor: () => import('./create_flavor.js'),
  create_heat_stack: () => import('./create_heat_stack.js'),
  create_network_port: () => import('./create_network_port.js'),
  create_server: () => import('./create_server.js'),
  delete_flavor: () => import('./delete_flavor.js'),
  delete_port: () => import('./delete_port.js'),
  delete_server: () => import('./delete_server.js'),
  delete_volume: () => import('./delete_volume.js'),
  export_flavor: () => import('./export_flavor.js'),
  flavor_info: () => import('./flavor_info.js'),
  generate_heat_template: () => import('./generate_heat_template.js'),
  import_vmware_volume: () => import('./import_vmware_volume.js'),
  import_workloads: () => import('./import_workloads.js'),
  migrate: () => import('./migrate.js'),
  migration_status: () => import('./migration_status.js'),
  plan_waves: () => import('./plan_waves.js'),
  rollback: () => import('./rollback.js'),
  verify_migration: () => import('./verify_migration.js'),
  vmware_assessment: () => import('./vmware_assessment.js'),
  vmware_inventory: () => import('./vmware_inventory.js'),
  vmware_vm_power: () => import('./vmware_vm_power.js'),
  volume_info: () => import('./volume_info.js'),
  volume_metadata_info: () => import('./volume_metadata_info.js'),
  warn: () => import('./warn.js'),
};

/** Names that are another module under an upstream name. */
export const moduleAliases: Record<string, string> = {
  import_flavor: 'create_flavor',
};

export function moduleNames(): string[] {
  return [...Object.keys(moduleLoaders), ...Object.keys(moduleAliases)].sort();
}
