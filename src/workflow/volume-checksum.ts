/**
 * The SHA-256 the migration records on each volume (with `verify`), for verify_migration to compare:
 * what the volume must hold now (after the copy, or after the conversion when one ran), over how many bytes
 * (the source disk's size), and the copy's hash (the source disk's) for the record.
 */
export const SHA256_KEY = 'osm_sha256';
export const SHA256_BYTES_KEY = 'osm_sha256_bytes';
const SHA256_COPY_KEY = 'osm_sha256_copy';

/** Metadata after a copy: with a hash, the volume now holds the source's bytes; without, any earlier hash is void. */
export function copyChecksumMetadata(sha256: string | undefined, bytes: number): Record<string, string> {
  return sha256 ? { [SHA256_KEY]: sha256, [SHA256_COPY_KEY]: sha256, [SHA256_BYTES_KEY]: String(bytes) } : { [SHA256_KEY]: '' };
}
