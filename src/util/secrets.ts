/**
 * Process-wide registry of secret values (passwords, tokens, application-credential secrets).
 * Every string that leaves the process through a result, an error or a log passes through `maskSecrets`.
 */
const MASK = '********';
const secrets = new Set<string>();

/**
 * Register a value that must never be printed. Secrets of 8 characters or more are masked wherever they appear;
 * shorter ones only as a whole word (so a lab password `pass` masks `user:pass@host` but not `password`), and
 * values shorter than 3 characters only when they are the whole string.
 */
export function registerSecret(value: unknown): void {
  if (typeof value === 'string' && value.length > 0) secrets.add(value);
}

/** Replace every registered secret inside `text` with a fixed mask. Longest secrets are replaced first. */
export function maskSecrets(text: string): string {
  if (secrets.size === 0) return text;
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length < 3) {
      if (out === secret) return MASK;
    } else if (secret.length < 8) {
      out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(secret)}(?![\\p{L}\\p{N}_])`, 'gu'), MASK);
    } else {
      out = out.split(secret).join(MASK);
    }
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Deep copy of a JSON-like value with every string masked. */
export function maskDeep<T>(value: T): T {
  if (typeof value === 'string') return maskSecrets(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v);
    return out as T;
  }
  return value;
}
