import type { Extent } from '../util/extent.js';
import { VSphereError } from './faults.js';
import { type MoRef, moRefOf } from './moref.js';
import { type XmlNode, child, children, escapeXml, longAt, textAt } from './xml.js';

/**
 * The vim25 operations this client calls, the one list of them: each one's arguments (as a type, in the order of
 * the operation's XSD sequence, which is the order they are written in), whether it is safe to send again after a
 * re-login (idempotent), and the reader that turns its `<Op>Response` element into a typed result.
 * `VSphereSession.invoke` writes the request with `requestXml`, sends it and applies the reader.
 */

/** Marks a data object of a vim25 subtype, written with `xsi:type` (e.g. a TraversalSpec in a selectSet). */
export const XSI_TYPE = Symbol('xsi:type');

/**
 * An argument value: text (escaped), a number (a safe integer), a bigint (any xsd:long), a boolean, a MoRef
 * (an object with exactly `type` and `value`), a data object (fields in XSD order; `undefined` fields are left
 * out), or an array (the element repeated).
 */
type ArgValue = string | number | bigint | boolean | MoRef | DataObject | readonly ArgValue[];
interface DataObject {
  readonly [field: string]: ArgValue | undefined;
  readonly [XSI_TYPE]?: string;
}

export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager: MoRef;
  sessionManager: MoRef;
  /** Absent on an endpoint without one (then privileges cannot be asked). */
  authorizationManager: MoRef | undefined;
  about: { fullName: string; apiType: string; apiVersion: string; instanceUuid: string };
}

/** PropertyFilterSpec: which properties of which objects (see property-collector.ts). */
export interface PropertyFilterSpec extends DataObject {
  propSet: { type: string; pathSet: string[] }[];
  objectSet: { obj: MoRef; skip: boolean; selectSet?: DataObject }[];
  reportMissingObjectsInResults?: boolean;
}

/** DiskChangeInfo: the window of the disk that was examined and the changed areas in it, in bytes. */
interface DiskChangeInfo {
  startOffset: number;
  length: number;
  changedArea: Extent[];
}

/** SessionManagerHttpServiceRequestSpec: the one HTTP request a generic service ticket is for. */
export interface HttpServiceRequestSpec extends DataObject {
  /** `httpGet`, `httpHead`, ... (SessionManagerHttpServiceRequestSpecMethod). */
  method: string;
  url: string;
}

/** SessionManagerGenericServiceTicket: a one-time credential for that request, sent as cookie `vmware_cgi_ticket`. */
export interface GenericServiceTicket {
  id: string;
  /** The host that serves the request (its DNS name on vSphere). */
  hostName: string | undefined;
  /** SHA-1 thumbprint of that host's certificate, as vCenter knows it; empty: authenticate the host by name. */
  sslThumbprint: string | undefined;
}

/** Reads an operation's `<Op>Response`; `call` names the call for messages. */
type Reader<R> = (response: XmlNode, call: string) => R;

interface Operation<Args extends DataObject, R> {
  idempotent: boolean;
  read: Reader<R>;
  /** Type only: the arguments. */
  readonly args?: Args;
}

const op = <Args extends DataObject, R>(idempotent: boolean, read: Reader<R>): Operation<Args, R> => ({ idempotent, read });

type This = { _this: MoRef };

const nothing: Reader<void> = () => undefined;

function returnval(response: XmlNode, call: string): XmlNode {
  const rv = child(response, 'returnval');
  if (!rv) throw new VSphereError(`${call}: the answer has no returnval`, undefined);
  return rv;
}

/** The MoRef a call returns (a `*_Task` call's task, a created view). */
const moRef: Reader<MoRef> = (response, call) => moRefOf(returnval(response, call));

/** A RetrieveResult's paging token; its objects are taken out while the answer streams in (property-collector.ts). */
const token: Reader<string | undefined> = (response) => textAt(child(response, 'returnval'), 'token');

function serviceContent(response: XmlNode, call: string): ServiceContent {
  const rv = returnval(response, call);
  const ref = (name: string): MoRef => {
    const node = child(rv, name);
    if (!node) throw new VSphereError(`${call}: no ${name} in the answer; is this a vSphere SDK endpoint?`, undefined);
    return moRefOf(node);
  };
  return {
    rootFolder: ref('rootFolder'),
    propertyCollector: ref('propertyCollector'),
    viewManager: ref('viewManager'),
    sessionManager: ref('sessionManager'),
    authorizationManager: child(rv, 'authorizationManager') ? moRefOf(child(rv, 'authorizationManager') as XmlNode) : undefined,
    about: {
      fullName: textAt(rv, 'about.fullName') ?? '',
      apiType: textAt(rv, 'about.apiType') ?? '',
      apiVersion: textAt(rv, 'about.apiVersion') ?? '',
      instanceUuid: textAt(rv, 'about.instanceUuid') ?? '',
    },
  };
}

function diskChangeInfo(response: XmlNode, call: string): DiskChangeInfo {
  const rv = returnval(response, call);
  const long = (node: XmlNode, path: string): number => {
    const n = longAt(node, path);
    if (n === undefined) throw new VSphereError(`${call}: the answer has no ${node === rv ? '' : `${node.name}.`}${path}`, undefined);
    return n;
  };
  return {
    startOffset: long(rv, 'startOffset'),
    length: long(rv, 'length'),
    changedArea: children(rv, 'changedArea').map((a) => ({ start: long(a, 'start'), length: long(a, 'length') })),
  };
}

function genericServiceTicket(response: XmlNode, call: string): GenericServiceTicket {
  const rv = returnval(response, call);
  const id = textAt(rv, 'id');
  if (!id) throw new VSphereError(`${call}: the answer has no ticket id`, undefined);
  return { id, hostName: textAt(rv, 'hostName') || undefined, sslThumbprint: textAt(rv, 'sslThumbprint') || undefined };
}

/** EntityPrivilege list: per entity, which of the asked privileges the session's user holds. */
export interface EntityPrivileges {
  entity: MoRef;
  granted: Map<string, boolean>;
}

function entityPrivileges(response: XmlNode): EntityPrivileges[] {
  return children(response, 'returnval').map((rv) => ({
    entity: moRefOf(child(rv, 'entity') as XmlNode),
    granted: new Map(children(rv, 'privAvailability').map((a) => [textAt(a, 'privId') ?? '', textAt(a, 'isGranted') === 'true'])),
  }));
}

export const VIM25 = {
  RetrieveServiceContent: op<This, ServiceContent>(false, serviceContent),
  Login: op<This & { userName: string; password: string }, void>(false, nothing),
  Logout: op<This, void>(false, nothing),
  CreateContainerView: op<This & { container: MoRef; type: string[]; recursive: boolean }, MoRef>(false, moRef),
  DestroyView: op<This, void>(false, nothing),
  RetrievePropertiesEx: op<This & { specSet: PropertyFilterSpec; options: { maxObjects: number } }, string | undefined>(true, token),
  // the token is used up by the first answer: asking again skips a page
  ContinueRetrievePropertiesEx: op<This & { token: string }, string | undefined>(false, token),
  CreateSnapshot_Task: op<This & { name: string; description: string; memory: boolean; quiesce: boolean }, MoRef>(false, moRef),
  RemoveSnapshot_Task: op<This & { removeChildren: boolean; consolidate: boolean }, MoRef>(false, moRef),
  ReconfigVM_Task: op<This & { spec: { changeTrackingEnabled: boolean } }, MoRef>(false, moRef),
  PowerOnVM_Task: op<This, MoRef>(false, moRef),
  PowerOffVM_Task: op<This, MoRef>(false, moRef),
  ShutdownGuest: op<This, void>(false, nothing),
  // a second ticket after a re-login is as good as the first
  AcquireGenericServiceTicket: op<This & { spec: HttpServiceRequestSpec }, GenericServiceTicket>(true, genericServiceTicket),
  HasPrivilegeOnEntities: op<This & { entity: MoRef[]; sessionId: string; privId: string[] }, EntityPrivileges[]>(true, entityPrivileges),
  QueryChangedDiskAreas: op<This & { snapshot?: MoRef | undefined; deviceKey: number; startOffset: number; changeId: string }, DiskChangeInfo>(
    true,
    diskChangeInfo,
  ),
};

export type OperationName = keyof typeof VIM25;
export type ArgsOf<K extends OperationName> = NonNullable<(typeof VIM25)[K]['args']>;
export type ResultOf<K extends OperationName> = ReturnType<(typeof VIM25)[K]['read']>;

/** The request element of operation `op` (namespace urn:vim25; `xsi` is declared by the envelope). */
export function requestXml(op: string, args: DataObject): string {
  return `<${op} xmlns="urn:vim25">${fieldsXml(args)}</${op}>`;
}

function fieldsXml(o: DataObject): string {
  let out = '';
  for (const [name, value] of Object.entries(o)) if (value !== undefined) out += elementXml(name, value);
  return out;
}

function isMoRef(v: object): v is MoRef {
  const keys = Object.keys(v);
  return keys.length === 2 && typeof (v as MoRef).type === 'string' && typeof (v as MoRef).value === 'string';
}

function elementXml(name: string, value: ArgValue): string {
  if (Array.isArray(value)) return (value as readonly ArgValue[]).map((v) => elementXml(name, v)).join('');
  switch (typeof value) {
    case 'string':
      return `<${name}>${escapeXml(value)}</${name}>`;
    case 'boolean':
    case 'bigint':
      return `<${name}>${value}</${name}>`;
    case 'number':
      if (!Number.isSafeInteger(value)) throw new VSphereError(`cannot send ${name} = ${value}: not an integer held exactly`, undefined);
      return `<${name}>${value}</${name}>`;
    default: {
      const o = value as DataObject | MoRef;
      if (isMoRef(o)) return `<${name} type="${escapeXml(o.type)}">${escapeXml(o.value)}</${name}>`;
      const subtype = (o as DataObject)[XSI_TYPE];
      return `<${name}${subtype ? ` xsi:type="${escapeXml(subtype)}"` : ''}>${fieldsXml(o as DataObject)}</${name}>`;
    }
  }
}
