import { type XmlNode, child, textAt } from './xml.js';

/** A failed vSphere call, with the vim25 fault type when the server named one. */
export class VSphereError extends Error {
  constructor(
    message: string,
    /** vim25 fault type, e.g. `InvalidLogin`; undefined for transport errors. */
    readonly fault: string | undefined,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidLoginError extends VSphereError {}
export class NotAuthenticatedError extends VSphereError {}
export class ObjectNotFoundError extends VSphereError {}
export class InvalidPowerStateError extends VSphereError {}
export class TaskFailedError extends VSphereError {}
export class ThumbprintMismatchError extends VSphereError {}
export class ConnectionError extends VSphereError {}

/** What the user should do about a fault, by type. */
function advice(fault: string, call: string, server: string): { cls: typeof VSphereError; text: string } {
  switch (fault) {
    case 'InvalidLogin':
      return {
        cls: InvalidLoginError,
        text: `${server} rejected the user name or password (${call}): check vcenter_username and vcenter_password`,
      };
    case 'NotAuthenticated':
      return {
        cls: NotAuthenticatedError,
        text: `${call}: the vCenter session is not logged in or has expired (NotAuthenticated); log in again`,
      };
    case 'ManagedObjectNotFound':
      return {
        cls: ObjectNotFoundError,
        text: `${call}: the object no longer exists on ${server} (ManagedObjectNotFound); it was deleted or moved: run discovery again`,
      };
    case 'InvalidPowerState':
      return {
        cls: InvalidPowerStateError,
        text: `${call}: the VM is not in a power state that allows this (InvalidPowerState); power it on or off first`,
      };
    case 'NoPermission':
      return {
        cls: VSphereError,
        text: `${call}: the vCenter user lacks a privilege for this call (NoPermission); grant it to vcenter_username`,
      };
    default:
      return { cls: VSphereError, text: `${call} failed on ${server}` };
  }
}

/** Build the typed error for a vim25 fault. */
export function faultError(fault: string, faultString: string, call: string, server: string): VSphereError {
  const { cls, text } = advice(fault, call, server);
  const detail = faultString && !text.includes(faultString) ? `: ${faultString}` : '';
  return new cls(`${text}${detail} [${fault}]`, fault);
}

/** The fault type named in a SOAP `<Fault>` element (its `detail` child's xsi:type or element name). */
export function faultType(fault: XmlNode): string {
  const detail = child(fault, 'detail')?.children[0];
  if (!detail) return 'Fault';
  return detail.xsiType ?? detail.name.replace(/Fault$/, '');
}

/** The typed error for a SOAP envelope's Fault element. */
export function errorFromFault(fault: XmlNode, call: string, server: string): VSphereError {
  return faultError(faultType(fault), textAt(fault, 'faultstring') ?? '', call, server);
}

/** The typed error for a failed task's `info.error` (a LocalizedMethodFault). */
export function errorFromTaskFault(error: XmlNode | undefined, call: string, server: string): VSphereError {
  const fault = child(error, 'fault');
  const type = fault?.xsiType ?? 'TaskFailed';
  const message = textAt(error, 'localizedMessage') ?? '';
  const known = advice(type, call, server);
  const cls = known.cls === VSphereError ? TaskFailedError : known.cls;
  return new cls(`${known.text}: task failed${message ? `: ${message}` : ''} [${type}]`, type);
}
