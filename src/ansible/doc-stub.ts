import { stringify } from 'yaml';
import { moduleDocs } from './docs.js';
import type { ModuleDefinition } from './module.js';

const yamlOpts = { lineWidth: 0, indent: 2 } as const;

/** The `.py` documentation stub Ansible (ansible-doc, ansible-test) reads for a binary module. */
export function renderDocStub(def: ModuleDefinition): string {
  const { documentation, examples, returns } = moduleDocs(def);
  const block = (text: string) => text.replace(/'''/g, "'\\''");
  return [
    '#!/usr/bin/python',
    '# -*- coding: utf-8 -*-',
    '# Apache License 2.0 (see LICENSE)',
    `# Generated from src/modules/${def.name}.ts by \`npm run build\`; edit the TypeScript, not this file.`,
    '',
    'from __future__ import absolute_import, division, print_function',
    '',
    '__metaclass__ = type',
    '',
    `DOCUMENTATION = r'''`,
    block(stringify(documentation, yamlOpts)).trimEnd(),
    `'''`,
    '',
    `EXAMPLES = r'''`,
    block(examples).trimEnd(),
    `'''`,
    '',
    `RETURN = r'''`,
    block(Object.keys(returns as object).length ? stringify(returns, yamlOpts) : '{}').trimEnd(),
    `'''`,
    '',
  ].join('\n');
}
