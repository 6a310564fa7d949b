import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labMarker, needsLab, relativeImports } from '../../scripts/test-sets.js';

// A test tree in memory: path -> compiled source.
function tree(files: Record<string, string>) {
  return (p: string) => {
    const source = files[p];
    if (source === undefined) throw new Error(`no file ${p}`);
    return source;
  };
}
const readsFacts = `const dir = process.env.${labMarker};`;

describe('test-sets: which test files need the lab', () => {
  it('finds relative imports, static and dynamic, and leaves packages and node: modules', () => {
    const source = [
      "import a from './a.js';",
      'import {',
      '  b,',
      '} from "../h/b.js";',
      "import './side.js';",
      "export { e } from './e.js';",
      "const c = await import('./c.js');",
      "import x from 'zod';",
      "import { readFileSync } from 'node:fs';",
      "const text = \"import y from './in-a-string.js'\";",
    ].join('\n');
    assert.deepEqual(relativeImports(source), ['./a.js', '../h/b.js', './side.js', './e.js', './c.js']);
  });

  it('a file that reads the lab directory needs the lab; one that imports nothing of the lab does not', () => {
    const read = tree({ '/t/a.test.js': readsFacts, '/t/b.test.js': "import x from 'zod';" });
    assert.equal(needsLab('/t/a.test.js', '/t', read), true);
    assert.equal(needsLab('/t/b.test.js', '/t', read), false);
  });

  it('follows imports through helpers, and survives import cycles', () => {
    const read = tree({
      '/t/x/a.test.js': "import { h } from '../helpers/h.js';",
      '/t/helpers/h.js': "import { g } from './g.js';",
      '/t/helpers/g.js': `import { h } from './h.js';\n${readsFacts}`,
      '/t/x/b.test.js': "import { k } from './k.js';",
      '/t/x/k.js': "import { b } from './b.test.js';",
    });
    assert.equal(needsLab('/t/x/a.test.js', '/t', read), true);
    assert.equal(needsLab('/t/x/b.test.js', '/t', read), false);
  });

  it('does not follow imports out of the test tree (production code is not a lab helper)', () => {
    const read = tree({ '/b/t/a.test.js': "import { s } from '../src/s.js';", '/b/src/s.js': readsFacts });
    assert.equal(needsLab('/b/t/a.test.js', '/b/t', read), false);
  });
});
