import { type MoRef, moRefOf, moRefXml } from './moref.js';
import type { VSphereSession } from './session.js';
import { type XmlNode, child, children, escapeXml, textAt } from './xml.js';

/** Which properties to read for one managed object type. */
export interface PropertySpec {
  type: string;
  paths: string[];
}

/** One object's retrieved properties: property path -> the `val` element (see xml.ts helpers). */
export interface ObjectContent {
  obj: MoRef;
  props: Map<string, XmlNode>;
}

/**
 * Decides, for an element of a retrieved object as soon as it is complete, whether to drop it (true) so it
 * never stays in memory. `depth` is relative to the object: propSet 1, val 2, a property's child elements 3, ...
 */
export type Prune = (node: XmlNode, depth: number) => boolean;

/** Objects per page asked of the property collector (a real vCenter pages; the simulator answers in one go). */
export const DEFAULT_PAGE_SIZE = 1000;

function propSetXml(specs: PropertySpec[]): string {
  return specs
    .map((s) => `<propSet><type>${escapeXml(s.type)}</type>${s.paths.map((p) => `<pathSet>${escapeXml(p)}</pathSet>`).join('')}</propSet>`)
    .join('');
}

/** The objects a container view holds, with their properties, in pages of `pageSize`. */
export async function retrieveFromView(
  session: VSphereSession,
  view: MoRef,
  specs: PropertySpec[],
  opts: { pageSize?: number; prune?: Prune } = {},
): Promise<ObjectContent[]> {
  const objectSet =
    `<objectSet>${moRefXml('obj', view)}<skip>true</skip><selectSet xsi:type="TraversalSpec">` +
    '<name>traverseView</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet>';
  return retrieve(session, `<specSet>${propSetXml(specs)}${objectSet}</specSet>`, opts.pageSize ?? DEFAULT_PAGE_SIZE, opts.prune);
}

/** Properties of the given objects (missing objects are left out). */
export async function retrieveObjects(
  session: VSphereSession,
  objs: MoRef[],
  specs: PropertySpec[],
  opts: { pageSize?: number; prune?: Prune } = {},
): Promise<ObjectContent[]> {
  if (objs.length === 0) return [];
  const objectSets = objs.map((o) => `<objectSet>${moRefXml('obj', o)}<skip>false</skip></objectSet>`).join('');
  return retrieve(
    session,
    `<specSet>${propSetXml(specs)}${objectSets}<reportMissingObjectsInResults>false</reportMissingObjectsInResults></specSet>`,
    opts.pageSize ?? DEFAULT_PAGE_SIZE,
    opts.prune,
  );
}

/** Properties of one object; throws ObjectNotFoundError (via the fault) when it is gone. */
export async function retrieveOne(session: VSphereSession, obj: MoRef, paths: string[]): Promise<Map<string, XmlNode>> {
  const objectSet = `<objectSet>${moRefXml('obj', obj)}<skip>false</skip></objectSet>`;
  const [found] = await retrieve(session, `<specSet>${propSetXml([{ type: obj.type, paths }])}${objectSet}</specSet>`, 1);
  return found?.props ?? new Map();
}

/** RetrievePropertiesEx, then ContinueRetrievePropertiesEx while the server hands back a token. */
async function retrieve(session: VSphereSession, specSetXml: string, pageSize: number, prune?: Prune): Promise<ObjectContent[]> {
  const pc = moRefXml('_this', session.serviceContent.propertyCollector);
  const out: ObjectContent[] = [];
  // Envelope(1) > Body(2) > Response(3) > returnval(4) > objects(5): each object is converted as soon as it is
  // complete and dropped from the answer's tree, so a large result never exists twice in memory.
  const collect = (node: XmlNode, depth: number): boolean => {
    if (depth > 5) return prune !== undefined && prune(node, depth - 5);
    if (depth !== 5 || node.name !== 'objects') return false;
    const o = readObject(node);
    if (o) out.push(o);
    return true;
  };
  let response = await session.post(
    'RetrievePropertiesEx',
    `<RetrievePropertiesEx xmlns="urn:vim25">${pc}${specSetXml}<options><maxObjects>${pageSize}</maxObjects></options></RetrievePropertiesEx>`,
    { idempotent: true },
    collect,
  );
  for (;;) {
    const token = textAt(child(response, 'returnval'), 'token');
    if (!token) return out;
    response = await session.post(
      'ContinueRetrievePropertiesEx',
      `<ContinueRetrievePropertiesEx xmlns="urn:vim25">${pc}<token>${escapeXml(token)}</token></ContinueRetrievePropertiesEx>`,
      { idempotent: false },
      collect,
    );
  }
}

/** An `objects` element (ObjectContent) of a RetrieveResult. */
export function readObject(o: XmlNode): ObjectContent | undefined {
  const obj = child(o, 'obj');
  if (!obj) return undefined;
  const props = new Map<string, XmlNode>();
  for (const p of children(o, 'propSet')) {
    const name = textAt(p, 'name');
    const val = child(p, 'val');
    if (name !== undefined && val) props.set(name, val);
  }
  return { obj: moRefOf(obj), props };
}

/** Append the `objects` (ObjectContent) of a RetrieveResult to `out`. */
export function readObjects(result: XmlNode | undefined, out: ObjectContent[]): void {
  for (const o of children(result, 'objects')) {
    const content = readObject(o);
    if (content) out.push(content);
  }
}

/** Run `fn` with a recursive container view of `types` under `container`; the view is destroyed afterwards. */
export async function withContainerView<T>(
  session: VSphereSession,
  container: MoRef,
  types: string[],
  fn: (view: MoRef) => Promise<T>,
): Promise<T> {
  const typeXml = types.map((t) => `<type>${escapeXml(t)}</type>`).join('');
  const response = await session.post(
    'CreateContainerView',
    `<CreateContainerView xmlns="urn:vim25">${moRefXml('_this', session.serviceContent.viewManager)}${moRefXml('container', container)}${typeXml}<recursive>true</recursive></CreateContainerView>`,
    { idempotent: false },
  );
  const ref = child(response, 'returnval');
  if (!ref) throw new Error('CreateContainerView returned no view');
  const view = moRefOf(ref);
  try {
    return await fn(view);
  } finally {
    await session.post('DestroyView', `<DestroyView xmlns="urn:vim25">${moRefXml('_this', view)}</DestroyView>`, { idempotent: false }).catch(() => undefined);
  }
}
