/**
 * Glance upload benchmark (not a test): the same staged file (a sparse raw disk: data in half of it, holes in the
 * rest, as a staged disk is) uploaded by the image target's path (image record, stream from the file, wait until
 * active) and by `openstack image create --file` (python3-openstackclient), interleaved so machine load affects both
 * alike; each image is deleted after its run. Needs the lab (its Keystone and Glance file store): run under the lab
 * lock. On a shared machine the figures are indicative only. The RATIO line is the openstack CLI's median time over
 * ours: 1 or more means ours is at least as fast.
 *
 *   flock /tmp/osm-lab.lock node build/bench/upload.js [MiB] [runs]
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, closeSync, writeSync, ftruncateSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../src/openstack/connect.js';
import { createImage, deleteImage, uploadImage, waitForImageActive } from '../src/openstack/image.js';
import { stagedFileStream } from '../src/transfer/staging.js';

const MiB = 1024 * 1024;
const sizeMiB = Number(process.argv[2] ?? 512);
const runs = Number(process.argv[3] ?? 3);
const labDir = process.env.OSM_LAB_DIR ?? '/var/lib/osm-lab';
const facts = JSON.parse(readFileSync(join(labDir, 'openstack.json'), 'utf8')) as {
  auth_url: string;
  region: string;
  osm: { username: string; password: string; project_name: string; user_domain_name: string; project_domain_name: string };
};

/** Data in every other 4 MiB block, holes between: half the file allocated. */
function stagedFile(dir: string): string {
  const path = join(dir, 'bench-disk.raw');
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, sizeMiB * MiB);
    for (let off = 0; off < sizeMiB * MiB; off += 8 * MiB) writeSync(fd, randomBytes(4 * MiB), 0, 4 * MiB, off);
  } finally {
    closeSync(fd);
  }
  return path;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'osm-bench-upload-'));
  const file = stagedFile(dir);
  const size = sizeMiB * MiB;
  const o = facts.osm;
  const s = await connect({ auth: { auth_url: facts.auth_url, username: o.username, password: o.password, project_name: o.project_name, user_domain_name: o.user_domain_name }, region_name: facts.region });
  const env = {
    ...process.env,
    OS_AUTH_URL: facts.auth_url,
    OS_USERNAME: o.username,
    OS_PASSWORD: o.password,
    OS_PROJECT_NAME: o.project_name,
    OS_USER_DOMAIN_NAME: o.user_domain_name,
    OS_PROJECT_DOMAIN_NAME: o.project_domain_name,
    OS_REGION_NAME: facts.region,
    OS_IDENTITY_API_VERSION: '3',
  };
  /** Images not deleted yet (a failed run's). */
  const left = new Set<string>();
  const ours: number[] = [];
  const cli: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      {
        const name = `osm-bench-upload-ours-${i}`;
        const t0 = process.hrtime.bigint();
        const image = await createImage(s, { name, diskFormat: 'raw' });
        left.add(image.id);
        await uploadImage(s, image.id, stagedFileStream(file, { size, onProgress: () => undefined, onHalf: async () => undefined }), size);
        await waitForImageActive(s, image.id, { timeoutMs: 600_000, intervalMs: 200 });
        ours.push(Number(process.hrtime.bigint() - t0) / 1e9);
        await deleteImage(s, image.id);
        left.delete(image.id);
      }
      {
        const name = `osm-bench-upload-cli-${i}`;
        const t0 = process.hrtime.bigint();
        const r = spawnSync('openstack', ['image', 'create', '--file', file, '--disk-format', 'raw', '--container-format', 'bare', '--property', 'osm=true', '-f', 'value', '-c', 'id', name], { env, encoding: 'utf8' });
        cli.push(Number(process.hrtime.bigint() - t0) / 1e9);
        if (r.status !== 0) throw new Error(`openstack image create failed: ${r.stderr}`);
        await deleteImage(s, r.stdout.trim());
      }
      console.log(`run ${i + 1}: ours ${ours.at(-1)!.toFixed(2)} s, openstack-cli ${cli.at(-1)!.toFixed(2)} s`);
    }
  } finally {
    for (const id of left) await deleteImage(s, id);
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const a = median(ours);
  const b = median(cli);
  console.log(`${sizeMiB} MiB sparse raw file (half allocated), ${runs} interleaved runs, median seconds: ours ${a.toFixed(2)} (${(size / MiB / a).toFixed(0)} MiB/s), openstack-cli ${b.toFixed(2)} (${(size / MiB / b).toFixed(0)} MiB/s)`);
  console.log(`RATIO upload vs openstack-cli: ${(b / a).toFixed(2)}`);
}

await main();
