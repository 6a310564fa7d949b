import type { XmlNode } from './xml.js';

/** A vim25 ManagedObjectReference: the managed object's type and its id (moid). */
export interface MoRef {
  type: string;
  value: string;
}

/** The MoRef held by an element like `<obj type="VirtualMachine">vm-42</obj>`. */
export function moRefOf(node: XmlNode): MoRef {
  return { type: node.typeAttr ?? '', value: node.text };
}

export function moRefKey(ref: MoRef): string {
  return `${ref.type}:${ref.value}`;
}
