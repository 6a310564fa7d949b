import { type ModuleDefinition, type ReturnDoc, optionsSchema } from './module.js';
import { type JsonSchema, ansibleTypeOfSchema } from './schema.js';

export const COLLECTION = 'os_migrate.vmware_migration_kit';
export const AUTHOR = 'vmware-migration-kit TypeScript contributors';

type DocOption = Record<string, unknown>;

const NO_EFFECT_NOTE =
  'The options whose description starts with "No effect here" are accepted because upstream reads or documents them, so tasks written for upstream keep working; each one given adds a warning naming it and what to use instead.';
const DIFFERENCES_NOTE =
  'Where this collection deliberately differs from upstream os-migrate/vmware-migration-kit 2.2 (arguments, results, behaviour), docs/upstream-differences.md in the collection says how and why, with every upstream argument of every module.';

function elementType(s: JsonSchema): string | undefined {
  return s.items ? ansibleTypeOfSchema(s.items) : undefined;
}

function docOption(s: JsonSchema, required: boolean): DocOption {
  const type = ansibleTypeOfSchema(s);
  const opt: DocOption = { description: splitParagraphs(s.description ?? '') };
  opt.type = type;
  if (required && s.default === undefined) opt.required = true;
  if (s.default !== undefined) opt.default = s.default;
  if (s.enum) opt.choices = s.enum;
  if (s.aliases?.length) opt.aliases = s.aliases;
  if (s.secret) opt.no_log = true;
  if (type === 'list') {
    const el = elementType(s);
    if (el && el !== 'raw') opt.elements = el;
    if (el === 'dict' && s.items?.properties) opt.suboptions = docOptions(s.items);
  }
  if (type === 'dict' && s.properties && Object.keys(s.properties).length > 0 && s.noEffect === undefined) opt.suboptions = docOptions(s);
  return opt;
}

function docOptions(s: JsonSchema): Record<string, DocOption> {
  const out: Record<string, DocOption> = {};
  for (const [name, sub] of Object.entries(s.properties ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    out[name] = docOption(sub, (s.required ?? []).includes(name));
  }
  return out;
}

function splitParagraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length > 0);
}

function docReturn(r: ReturnDoc): Record<string, unknown> {
  const out: Record<string, unknown> = { description: r.description, returned: r.returned, type: r.type };
  if (r.elements) out.elements = r.elements;
  if (r.sample !== undefined) out.sample = r.sample;
  if (r.contains) out.contains = Object.fromEntries(Object.entries(r.contains).map(([k, v]) => [k, docReturn(v)]));
  return out;
}

/** The DOCUMENTATION, EXAMPLES and RETURN blocks of a module, derived from its definition. */
export function moduleDocs(def: ModuleDefinition): { documentation: unknown; examples: string; returns: unknown } {
  const json = optionsSchema(def);
  const documentation = {
    module: def.name,
    short_description: def.shortDescription,
    version_added: '1.0.0',
    description: def.description,
    author: [AUTHOR],
    options: docOptions(json),
    attributes: {
      check_mode: {
        description: 'Can run in check_mode and return changed status prediction without modifying target.',
        support: def.checkMode,
      },
      diff_mode: {
        description: 'Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.',
        support: def.diffMode,
      },
    },
    notes: [
      'A JavaScript file built from TypeScript, run by the Node.js runtime the collection installs on the target once (plugins/action/node_module.py); it needs no Python on the target.',
      ...(def.notes ?? []),
      ...(Object.values(json.properties ?? {}).some((p) => p.noEffect !== undefined) ? [NO_EFFECT_NOTE] : []),
      DIFFERENCES_NOTE,
    ],
  };
  const returns = Object.fromEntries(Object.entries(def.returns).map(([k, v]) => [k, docReturn(v)]));
  return { documentation, examples: def.examples.trim() + '\n', returns };
}

/** Plain-text usage of a module for `--help`. */
export function renderUsage(def: ModuleDefinition): string {
  const json = optionsSchema(def);
  const lines = [`${def.name} - ${def.shortDescription}`, '', `usage: ${def.name} <args.json>`, '', 'options:'];
  for (const [name, s] of Object.entries(json.properties ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const req = (json.required ?? []).includes(name) && s.default === undefined ? ' (required)' : '';
    const def_ = s.default !== undefined ? ` [default: ${JSON.stringify(s.default)}]` : '';
    const aliases = s.aliases?.length ? ` [aliases: ${s.aliases.join(', ')}]` : '';
    lines.push(`  ${name} (${ansibleTypeOfSchema(s)})${req}${def_}${aliases}: ${(s.description ?? '').replace(/\s+/g, ' ')}`);
  }
  return lines.join('\n') + '\n';
}
