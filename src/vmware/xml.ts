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

const attrRe = /([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g;

function readAttributes(node: XmlNode, raw: string): void {
  attrRe.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = attrRe.exec(raw)) !== null) {
    const qname = m[1] as string;
    const value = decodeEntities(m[3] ?? m[4] ?? '');
    if (qname === 'type') node.typeAttr = value;
    else if (qname.endsWith(':type') && !qname.startsWith('xmlns')) node.xsiType = localName(value);
  }
}

/** Parse a whole document; returns the root element. Throws on malformed input. */
export function parseXml(xml: string): XmlNode {
  const root: XmlNode = { name: '#document', xsiType: undefined, typeAttr: undefined, text: '', children: [] };
  const stack: XmlNode[] = [root];
  let pos = 0;
  let textStart = 0;
  const len = xml.length;
  while (pos < len) {
    const lt = xml.indexOf('<', pos);
    if (lt < 0) break;
    const next = xml.charCodeAt(lt + 1);
    if (next === 63 /* ? */) {
      pos = xml.indexOf('?>', lt) + 2;
      continue;
    }
    if (next === 33 /* ! */) {
      if (xml.startsWith('<!--', lt)) pos = xml.indexOf('-->', lt) + 3;
      else if (xml.startsWith('<![CDATA[', lt)) pos = xml.indexOf(']]>', lt) + 3;
      else pos = xml.indexOf('>', lt) + 1;
      if (pos <= 0) throw new Error('malformed XML: unterminated declaration');
      continue;
    }
    const gt = xml.indexOf('>', lt);
    if (gt < 0) throw new Error('malformed XML: unterminated tag');
    if (next === 47 /* / */) {
      const node = stack.pop();
      if (!node || stack.length === 0) throw new Error('malformed XML: unexpected end tag');
      if (node.children.length === 0) node.text = decodeText(xml.slice(textStart, lt));
      pos = gt + 1;
      continue;
    }
    const selfClosing = xml.charCodeAt(gt - 1) === 47;
    const tagEnd = selfClosing ? gt - 1 : gt;
    let nameEnd = lt + 1;
    while (nameEnd < tagEnd) {
      const c = xml.charCodeAt(nameEnd);
      if (c === 32 || c === 9 || c === 10 || c === 13) break;
      nameEnd++;
    }
    const node: XmlNode = {
      name: localName(xml.slice(lt + 1, nameEnd)),
      xsiType: undefined,
      typeAttr: undefined,
      text: '',
      children: [],
    };
    if (nameEnd < tagEnd) readAttributes(node, xml.slice(nameEnd, tagEnd));
    (stack[stack.length - 1] as XmlNode).children.push(node);
    if (!selfClosing) stack.push(node);
    pos = gt + 1;
    textStart = pos;
  }
  if (stack.length !== 1) throw new Error('malformed XML: unclosed element');
  const first = root.children[0];
  if (!first) throw new Error('malformed XML: no root element');
  return first;
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

export function boolAt(node: XmlNode | undefined, path: string): boolean | undefined {
  const t = textAt(node, path);
  return t === undefined ? undefined : t === 'true' || t === '1';
}
