import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import type { Volume } from '../openstack/volume.js';
import { virtioEntryName } from '../transfer/target.js';
import { sha256OfPath } from '../transfer/verify.js';
import { type Check, type VerifyFacts, cannotRun, check } from './verify-request.js';
import { SHA256_BYTES_KEY, SHA256_KEY } from './volume-checksum.js';

/**
 * Where this machine can read a volume's bytes: its file in `volumeDir` (a file backend's share, e.g. the NFS
 * mount, where Cinder keeps `volume-<id>`), else its by-id link when it is attached here. Cinder has no read-only
 * attachment, so the tool never attaches a volume just to read it.
 */
async function readablePath(v: Volume, volumeDir: string | undefined, byIdDir: string): Promise<string | { why: string }> {
  const candidates = [...(volumeDir ? [join(volumeDir, `volume-${v.id}`)] : []), join(byIdDir, virtioEntryName(v.id))];
  for (const path of candidates) {
    try {
      await access(path, constants.R_OK);
      return path;
    } catch {
      // try the next one
    }
  }
  return { why: `its bytes are not readable here (tried ${candidates.join(', ')}); give verify_volume_dir (the volume backend's share) or run where the volume is attached` };
}

/** Each volume's SHA-256 equals the one the migration recorded (after the copy, or after the conversion). */
export async function checksumChecks(f: VerifyFacts, signal: AbortSignal): Promise<Check[]> {
  const { enabled, volumeDir, byIdDir } = f.req.checksums;
  if (!enabled) return [];
  const out: Check[] = [];
  for (const { disk, volume } of f.volumes) {
    const id = `volume.sha256.${disk.key}`;
    if (!volume) {
      out.push(cannotRun(id, 'recorded SHA-256', `disk ${disk.key} has no volume`));
      continue;
    }
    const expected = volume.metadata[SHA256_KEY];
    const bytes = Number(volume.metadata[SHA256_BYTES_KEY]);
    if (!expected || !Number.isSafeInteger(bytes) || bytes <= 0) {
      out.push(cannotRun(id, 'recorded SHA-256', `volume ${volume.id} has no recorded SHA-256 (migrate with verify_disks: true to record one)`));
      continue;
    }
    const path = await readablePath(volume, volumeDir, byIdDir);
    if (typeof path !== 'string') {
      out.push(cannotRun(id, expected, path.why));
      continue;
    }
    const observed = await sha256OfPath(path, bytes, signal);
    out.push(check(id, expected, observed, observed === expected, `volume ${volume.id} (${path}), first ${bytes} bytes`));
  }
  return out;
}
