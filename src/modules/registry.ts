import type { ModuleDefinition } from '../ansible/module.js';

type Loader = () => Promise<{ default: ModuleDefinition }>;

/**
 * Every module the collection ships, by the name Ansible calls it. Each loader imports only that module's code,
 * so a module pays the start-up cost of the libraries it uses and no other.
 */
export const moduleLoaders: Record<string, Loader> = {
  warn: () => import('./warn.js'),
};

/** Names that are another module under an upstream name. */
export const moduleAliases: Record<string, string> = {};

export function moduleNames(): string[] {
  return [...Object.keys(moduleLoaders), ...Object.keys(moduleAliases)].sort();
}
