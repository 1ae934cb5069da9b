/**
 * Reads an XML answer back to JSON data: an element with `xsi:nil="true"` is null (its prefix must
 * be bound to the XML Schema instance namespace on the root), an empty element is "", every other
 * element is text, an object, or a list of `<detail>`. Any other attribute is an error.
 */
import { XMLParser } from "fast-xml-parser";

export const XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance";

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  isArray: (name) => name === "detail",
});

/** The document as `{ root: fields }`. @throws Error for a nil without the namespace, or any other attribute. */
export function parseXml(text: string): Record<string, unknown> {
  const document = parser.parse(text, true) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(document).map(([name, root]) => {
      const declared = typeof root === "object" && root !== null && (root as Record<string, unknown>)["@_xmlns:xsi"];
      if (declared !== false && declared !== undefined && declared !== XSI_NAMESPACE) throw new Error(`xmlns:xsi is ${String(declared)}`);
      return [name, decode(root, declared === XSI_NAMESPACE, true)];
    }),
  );
}

function decode(node: unknown, xsiDeclared: boolean, isRoot: boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => decode(item, xsiDeclared, false));
  if (typeof node !== "object" || node === null) return node;
  const fields: Record<string, unknown> = {};
  let nil = false;
  for (const [key, value] of Object.entries(node)) {
    if (key === "@_xmlns:xsi" && isRoot) continue;
    if (key === "@_xsi:nil") {
      if (value !== "true") throw new Error(`xsi:nil="${String(value)}"`);
      if (!xsiDeclared) throw new Error("xsi:nil without xmlns:xsi on the root");
      nil = true;
      continue;
    }
    if (key.startsWith("@_")) throw new Error(`unexpected attribute ${key.slice(2)}`);
    fields[key] = decode(value, xsiDeclared, false);
  }
  if (nil) {
    if (Object.keys(fields).length > 0) throw new Error("an xsi:nil element has content");
    return null;
  }
  return fields;
}
