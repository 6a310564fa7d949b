/**
 * A small, fast XML reader for vim25 responses. vSphere answers are plain namespaced XML without DTDs, so a
 * single pass with `indexOf` builds a light tree far faster (and in far less memory) than a schema-driven
 * SOAP deserializer, which matters for property-collector results of thousands of VMs.
 */
export interface XmlNode {
  /** Local element name (namespace prefix removed). */
  name: string;
  /** Local name of the `xsi:type` attribute, if any (vim25 subtype of a polymorphic value). */
  xsiType: string | undefined;
  /** The plain `type` attribute (a ManagedObjectReference's type). */
  typeAttr: string | undefined;
  /** Decoded text of a leaf element ('' for elements with children). */
  text: string;
  children: XmlNode[];
}

const entities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return entities[e] ?? m;
  });
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&${({ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' } as const)[c as '<']};`);
}

/** Element text: entities decoded, CDATA sections taken verbatim. */
function decodeText(raw: string): string {
  if (raw.indexOf('<![CDATA[') < 0) return decodeEntities(raw);
  return raw
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part) => (part.startsWith('<![CDATA[') ? part.slice(9, -3) : decodeEntities(part)))
    .join('');
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/**
 * Read the two attributes we use from the raw tag `xml[from, to)`: a plain `type` (MoRef type) and any
 * `prefix:type` (xsi:type, whatever the prefix). Scans in place, without a regex or a copy of the tag.
 */
function readAttributes(node: XmlNode, xml: string, from: number, to: number): void {
  let i = xml.indexOf('type', from);
  while (i >= 0 && i < to) {
    const before = xml.charCodeAt(i - 1);
    let j = i + 4;
    while (xml.charCodeAt(j) === 32) j++;
    if (xml.charCodeAt(j) === 61 /* = */ && (before === 58 /* : */ || before === 32 || before === 9 || before === 10 || before === 13)) {
      j++;
      while (xml.charCodeAt(j) === 32) j++;
      const quote = xml[j] as string;
      const end = xml.indexOf(quote, j + 1);
      const value = decodeEntities(xml.slice(j + 1, end));
      if (before === 58) {
        const prefixStart = xml.lastIndexOf(' ', i) + 1;
        if (!xml.startsWith('xmlns', prefixStart)) node.xsiType = localName(value);
      } else node.typeAttr = value;
      i = xml.indexOf('type', end + 1);
    } else i = xml.indexOf('type', i + 4);
  }
}

const NO_CHILDREN: XmlNode[] = [];

function newNode(name: string): XmlNode {
  return { name, xsiType: undefined, typeAttr: undefined, text: '', children: NO_CHILDREN };
}

/**
 * Incremental reader: feed text with `write` as it arrives, then `end()` returns the root element. When
 * `onClose(node, depth)` returns true for a completed element, the element is not kept in the tree, so large
 * answers can be consumed object by object (depth: the document element is 1).
 */
export class XmlReader {
  private buf = '';
  private textStart = 0;
  private readonly doc = newNode('#document');
  private readonly stack: XmlNode[] = [this.doc];

  constructor(private readonly onClose?: (node: XmlNode, depth: number) => boolean) {}

  write(chunk: string): void {
    this.buf = this.buf.length > 0 ? this.buf + chunk : chunk;
    this.consume(false);
  }

  end(): XmlNode {
    this.consume(true);
    if (this.stack.length !== 1) throw new Error('malformed XML: unclosed element');
    const first = this.doc.children[0];
    if (!first) throw new Error('malformed XML: no root element');
    return first;
  }

  private consume(final: boolean): void {
    const xml = this.buf;
    const stack = this.stack;
    let pos = 0;
    let textStart = this.textStart;
    for (;;) {
      const lt = xml.indexOf('<', pos);
      if (lt < 0) break;
      const next = xml.charCodeAt(lt + 1);
      if (next !== next) break; // '<' is the last character: wait for more
      if (next === 63 /* ? */ || next === 33 /* ! */) {
        const close = next === 63 ? '?>' : xml.startsWith('<!--', lt) ? '-->' : xml.startsWith('<![CDATA[', lt) ? ']]>' : '>';
        const end = xml.indexOf(close, lt + 2);
        if (end < 0) {
          if (final) throw new Error('malformed XML: unterminated declaration');
          break;
        }
        pos = end + close.length;
        continue;
      }
      const gt = xml.indexOf('>', lt);
      if (gt < 0) {
        if (final) throw new Error('malformed XML: unterminated tag');
        break;
      }
      if (next === 47 /* / */) {
        const node = stack.pop();
        if (!node || stack.length === 0) throw new Error('malformed XML: unexpected end tag');
        if (node.children === NO_CHILDREN) node.text = decodeText(xml.slice(textStart, lt));
        if (this.onClose?.(node, stack.length)) (stack[stack.length - 1] as XmlNode).children.pop();
        pos = gt + 1;
        textStart = pos;
        continue;
      }
      const selfClosing = xml.charCodeAt(gt - 1) === 47;
      const tagEnd = selfClosing ? gt - 1 : gt;
      let nameEnd = lt + 1;
      let nameStart = nameEnd;
      while (nameEnd < tagEnd) {
        const c = xml.charCodeAt(nameEnd);
        if (c === 32 || c === 9 || c === 10 || c === 13) break;
        if (c === 58 /* : */) nameStart = nameEnd + 1;
        nameEnd++;
      }
      const node = newNode(xml.slice(nameStart, nameEnd));
      if (nameEnd < tagEnd) readAttributes(node, xml, nameEnd, tagEnd);
      const parent = stack[stack.length - 1] as XmlNode;
      if (parent.children === NO_CHILDREN) parent.children = [node];
      else parent.children.push(node);
      if (selfClosing) {
        if (this.onClose?.(node, stack.length)) parent.children.pop();
      } else stack.push(node);
      pos = gt + 1;
      textStart = pos;
    }
    const keep = Math.min(textStart, pos);
    this.buf = xml.slice(keep);
    this.textStart = textStart - keep;
  }
}

/** Parse a whole document; returns the root element. Throws on malformed input. */
export function parseXml(xml: string): XmlNode {
  const reader = new XmlReader();
  reader.write(xml);
  return reader.end();
}

/** First child with this local name. */
export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  if (!node) return undefined;
  for (const c of node.children) if (c.name === name) return c;
  return undefined;
}

/** All children with this local name. */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/** Follow a dotted path of child names ('' is the node itself). */
export function at(node: XmlNode | undefined, path: string): XmlNode | undefined {
  if (path === '') return node;
  let cur = node;
  for (const part of path.split('.')) cur = child(cur, part);
  return cur;
}

export function textAt(node: XmlNode | undefined, path: string): string | undefined {
  return at(node, path)?.text;
}

export function numberAt(node: XmlNode | undefined, path: string): number | undefined {
  const t = textAt(node, path);
  return t === undefined || t === '' ? undefined : Number(t);
}

/**
 * An xsd:long (byte counts, offsets) as an exact number: a value a number cannot hold exactly (beyond 2^53) is an
 * error, never silently rounded.
 */
export function longAt(node: XmlNode | undefined, path: string): number | undefined {
  const t = textAt(node, path);
  if (t === undefined || t === '') return undefined;
  const n = Number(t);
  if (!Number.isSafeInteger(n)) throw new Error(`${path || node?.name} is ${t}, not an integer held exactly below 2^53`);
  return n;
}

export function boolAt(node: XmlNode | undefined, path: string): boolean | undefined {
  const t = textAt(node, path);
  return t === undefined ? undefined : t === 'true' || t === '1';
}
