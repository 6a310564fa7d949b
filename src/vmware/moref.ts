import { type XmlNode, escapeXml } from './xml.js';

/** A vim25 ManagedObjectReference: the managed object's type and its id (moid). */
export interface MoRef {
  type: string;
  value: string;
}

/** The MoRef held by an element like `<obj type="VirtualMachine">vm-42</obj>`. */
export function moRefOf(node: XmlNode): MoRef {
  return { type: node.typeAttr ?? '', value: node.text };
}

/** A MoRef as a `soap` argument (simple content with a `type` attribute). */
export function soapMoRef(ref: MoRef): { attributes: { type: string }; $value: string } {
  return { attributes: { type: ref.type }, $value: ref.value };
}

/** A MoRef as a literal element, for requests written by hand. */
export function moRefXml(element: string, ref: MoRef): string {
  return `<${element} type="${escapeXml(ref.type)}">${escapeXml(ref.value)}</${element}>`;
}

export function moRefKey(ref: MoRef): string {
  return `${ref.type}:${ref.value}`;
}
