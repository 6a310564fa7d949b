import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dependencyProblems, parseDependencyTable } from '../../scripts/check-dependencies.js';
import { moduleNode, repoRoot } from '../helpers/run-module.js';

const doc = (...rows: string[]) =>
  parseDependencyTable(['| package | version | what it does for us | why this version |', '| --- | --- | --- | --- |', ...rows].join('\n'));

describe('the runtime dependency check', () => {
  it('passes a dependency at its latest release, and one whose row says why it is not at the latest yet', () => {
    const rows = doc('| zod | 4.6.7 | schemas | latest |', '| undici | 7.30.2 | HTTP | 8.14.1 drops the handler API we use; moving is issue 99 |');
    assert.deepEqual(dependencyProblems({ zod: '4.6.7', undici: '7.30.2' }, { undici: { current: '7.30.2', latest: '8.14.1' } }, rows), []);
  });

  it('fails an undocumented lag, naming the release to take or explain', () => {
    const problems = dependencyProblems({ zod: '4.6.7' }, { zod: { current: '4.6.7', latest: '4.7.0' } }, doc('| zod | 4.6.7 | schemas | latest |'));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /zod 4\.6\.7 is behind 4\.7\.0.*upgrade it, or say in its row of docs\/dependencies\.md why 4\.7\.0/);
  });

  it('fails a reason written for an older release once a newer one is out', () => {
    const rows = doc('| undici | 7.30.2 | HTTP | 8.14.1 drops the handler API we use |');
    assert.match(dependencyProblems({ undici: '7.30.2' }, { undici: { latest: '8.15.0' } }, rows)[0]!, /behind 8\.15\.0/);
  });

  it('fails a dependency without a row, a row with another version, and a row for a package no longer used', () => {
    const problems = dependencyProblems({ yaml: '2.9.1', zod: '4.6.7' }, {}, doc('| zod | 4.6.6 | schemas | latest |', '| left-pad | 1.3.0 | padding | latest |'));
    assert.deepEqual(problems, [
      'yaml: no row in docs/dependencies.md (what it does for us, why this version)',
      'zod: docs/dependencies.md says 4.6.6, package.json pins 4.6.7',
      'left-pad: docs/dependencies.md has a row for it, but it is not a runtime dependency',
    ]);
  });

  it("holds for the project's own dependencies (npm outdated on the pinned Node.js)", () => {
    const p = spawnSync(moduleNode, [join(repoRoot, 'build/scripts/check-dependencies.js')], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(p.status, 0, p.stderr);
    assert.match(p.stderr, /none lags without a reason/);
  });
});
