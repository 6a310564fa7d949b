import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { moduleNames } from '../../src/modules/registry.js';
import { moduleNode, modulesDir, repoRoot } from '../helpers/run-module.js';

/** relative path -> sha256 of the file (or the target of the link) for every file under `dir`. */
function digests(dir: string, keep: (path: string) => boolean = () => true): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (keep(p)) out[relative(dir, p)] = lstatSync(p).isSymbolicLink() ? `-> ${readlinkSync(p)}` : createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

const build = (...args: string[]) => execFileSync(moduleNode, [join(repoRoot, 'build/scripts/build-modules.js'), ...args], { cwd: repoRoot, stdio: 'pipe' });

describe('the module build', () => {
  it('gives identical bytes when run twice, the same as the installed modules', () => {
    const [a, b] = [1, 2].map(() => {
      const dir = mkdtempSync(join(tmpdir(), 'osm-build-'));
      build('--out', dir);
      return digests(dir);
    });
    assert.deepEqual(Object.keys(a!).sort(), moduleNames());
    assert.deepEqual(a, b);
    assert.deepEqual(digests(modulesDir, (p) => !p.endsWith('.py')), a, 'plugins/modules holds the same build');
    for (const name of moduleNames()) {
      assert.ok(!readFileSync(join(modulesDir, name), 'utf8').includes(repoRoot), `${name} depends on where the repository is checked out`);
    }
  });

  it('rewrites the doc stubs, meta/runtime.yml and third_party/ (SBOM, licences) byte for byte', () => {
    const generated = () => ({
      stubs: digests(modulesDir, (p) => p.endsWith('.py')),
      meta: digests(join(repoRoot, 'meta')),
      thirdParty: digests(join(repoRoot, 'third_party')),
    });
    const before = generated();
    assert.ok(Object.keys(before.thirdParty).includes('sbom.cdx.json'));
    build();
    assert.deepEqual(generated(), before);
  });
});
