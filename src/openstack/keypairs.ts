import { z } from 'zod';
import type { Session } from './auth.js';
import { computeHeaders as headers } from './compute-microversion.js';
import { getOrUndefined } from './resource.js';

/** Nova keypairs (only looked up: the user names one for the server). */

const keypairSchema = z.looseObject({ name: z.string() });

export async function getKeypair(s: Session, name: string): Promise<{ name: string } | undefined> {
  return getOrUndefined(s, 'compute', `get keypair ${name}`, `/os-keypairs/${encodeURIComponent(name)}`, keypairSchema, { headers, key: 'keypair' });
}
