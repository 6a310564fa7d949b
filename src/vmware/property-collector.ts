import { type MoRef, moRefOf } from './moref.js';
import type { VSphereSession } from './session.js';
import { type PropertyFilterSpec, XSI_TYPE } from './vim25.js';
import { type XmlNode, child, children, textAt } from './xml.js';

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

function propSet(specs: PropertySpec[]): PropertyFilterSpec['propSet'] {
  return specs.map((s) => ({ type: s.type, pathSet: s.paths }));
}

/** The objects a container view holds, with their properties, in pages of `pageSize`. */
export async function retrieveFromView(
  session: VSphereSession,
  view: MoRef,
  specs: PropertySpec[],
  opts: { pageSize?: number; prune?: Prune } = {},
): Promise<ObjectContent[]> {
  const traverseView = { [XSI_TYPE]: 'TraversalSpec', name: 'traverseView', type: 'ContainerView', path: 'view', skip: false };
  return retrieve(
    session,
    { propSet: propSet(specs), objectSet: [{ obj: view, skip: true, selectSet: traverseView }] },
    opts.pageSize ?? DEFAULT_PAGE_SIZE,
    opts.prune,
  );
}

/** Properties of the given objects (missing objects are left out). */
export async function retrieveObjects(
  session: VSphereSession,
  objs: MoRef[],
  specs: PropertySpec[],
  opts: { pageSize?: number; prune?: Prune } = {},
): Promise<ObjectContent[]> {
  if (objs.length === 0) return [];
  return retrieve(
    session,
    { propSet: propSet(specs), objectSet: objs.map((obj) => ({ obj, skip: false })), reportMissingObjectsInResults: false },
    opts.pageSize ?? DEFAULT_PAGE_SIZE,
    opts.prune,
  );
}

/** Properties of one object; throws ObjectNotFoundError (via the fault) when it is gone. */
export async function retrieveOne(session: VSphereSession, obj: MoRef, paths: string[]): Promise<Map<string, XmlNode>> {
  const [found] = await retrieve(session, { propSet: propSet([{ type: obj.type, paths }]), objectSet: [{ obj, skip: false }] }, 1);
  return found?.props ?? new Map();
}

/** RetrievePropertiesEx, then ContinueRetrievePropertiesEx while the server hands back a token. */
async function retrieve(session: VSphereSession, specSet: PropertyFilterSpec, pageSize: number, prune?: Prune): Promise<ObjectContent[]> {
  const pc = session.serviceContent.propertyCollector;
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
  let token = await session.invoke('RetrievePropertiesEx', { _this: pc, specSet, options: { maxObjects: pageSize } }, collect);
  while (token) token = await session.invoke('ContinueRetrievePropertiesEx', { _this: pc, token }, collect);
  return out;
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
  const view = await session.invoke('CreateContainerView', { _this: session.serviceContent.viewManager, container, type: types, recursive: true });
  try {
    return await fn(view);
  } finally {
    await session.invoke('DestroyView', { _this: view }).catch(() => undefined);
  }
}
