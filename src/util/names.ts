/**
 * Upstream's `SafeVmName`: the name the kit gives every OpenStack object derived from a VMware VM name
 * (volumes `<safe>-<diskkey>`, ports `<safe>-NIC-<i>-VLAN-<net>`, servers `<safe>`, nbdkit sockets, log files).
 * Keeping it byte-identical keeps resources created by upstream findable by this implementation and vice versa.
 */
const TRANSLITERATION: Record<string, string> = {
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ß: 'ss',
  '·': '_',
  '\u2019': '_',
  '\u2013': '_',
  '\u2014': '_',
  '\u00a0': '_',
};

const ACCENTED: Array<[string, string]> = [
  ['áàâãä', 'a'],
  ['éèêë', 'e'],
  ['íìîï', 'i'],
  ['óòôõö', 'o'],
  ['úùûü', 'u'],
  ['ñ', 'n'],
  ['ç', 'c'],
];
for (const [chars, base] of ACCENTED) {
  for (const c of chars) {
    TRANSLITERATION[c] = base;
    TRANSLITERATION[c.toUpperCase()] = base.toUpperCase();
  }
}

const MAX_BYTES = 64;

export function safeVmName(name: string): string {
  let out = '';
  for (const ch of name) {
    const t = TRANSLITERATION[ch] ?? ch;
    out += t.replace(/[^a-zA-Z0-9_-]/gu, '_');
  }
  out = out.replace(/_+/g, '_').replace(/-+/g, '-');
  // Only ASCII remains, so bytes == characters.
  out = out.slice(0, MAX_BYTES);
  return out.replace(/[_-]+$/, '');
}
