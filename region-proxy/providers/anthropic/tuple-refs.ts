/**
 * Local `$ref`s moved with the draft-07 tuples tuple-items.ts rewrites. A JSON pointer that went
 * through a tuple's `items` list (`#/properties/pair/items/0`, as zod-to-json-schema's default
 * $refStrategy "root" writes a schema used again after a tuple) now goes through `prefixItems`, and one
 * that went to its `additionalItems` now goes to `items`, so each reference still names the schema it
 * named. The pointer is read against the client's schema, keyword by keyword from the root (a property
 * named `items` is a name, not a keyword); a pointer that leaves the schemas (into a `default`, say),
 * or that is not local, is left as it is, and so is one to an `additionalItems` draft-07 ignores
 * (tuple-items.ts leaves it out).
 *
 * @example retargetTupleRefs({ properties: { p: { prefixItems: [{}] }, q: { $ref: "#/properties/p/items/0" } } }, { properties: { p: { items: [{}] }, q: { $ref: "#/properties/p/items/0" } } }) // { properties: { p: { prefixItems: [{}] }, q: { $ref: "#/properties/p/prefixItems/0" } } }
 */
import { isSchemaObject, LIST, MAP, mapSubschemas, ONE } from "./subschemas.ts";

/** Where a pointer's walk stands: at a schema, in a list or map of schemas, or outside the schemas (null). */
type At = { kind: "schema"; node: Record<string, unknown> } | { kind: "list"; list: unknown[] } | { kind: "map"; map: Record<string, unknown> } | null;

const schemaAt = (value: unknown): At => (isSchemaObject(value) ? { kind: "schema", node: value } : null);

function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment).replace(/~1/g, "/").replace(/~0/g, "~");
  } catch {
    return null;
  }
}

/** Where the walk stands after the keyword `key` of a schema. */
function afterKeyword(node: Record<string, unknown>, key: string): At {
  const value = node[key];
  if (Array.isArray(value) && LIST.includes(key)) return { kind: "list", list: value };
  if (isSchemaObject(value) && ONE.includes(key)) return { kind: "schema", node: value };
  if (isSchemaObject(value) && MAP.includes(key)) return { kind: "map", map: value };
  return null;
}

/** The pointer as it reads after the rewrite of the tuples of `original`, or the pointer as given. */
function retargeted(pointer: string, original: Record<string, unknown>): string {
  if (!pointer.startsWith("#/")) return pointer;
  const segments = pointer.slice(2).split("/");
  let at: At = { kind: "schema", node: original };
  for (let i = 0; i < segments.length && at !== null; i++) {
    const key = decoded(segments[i]!);
    if (key === null) return pointer;
    if (at.kind === "list") at = /^\d+$/.test(key) ? schemaAt(at.list[Number(key)]) : null;
    else if (at.kind === "map") at = Object.hasOwn(at.map, key) ? schemaAt(at.map[key]) : null;
    else {
      if (Array.isArray(at.node.items) && key === "items") segments[i] = "prefixItems";
      else if (Array.isArray(at.node.items) && key === "additionalItems") segments[i] = "items";
      at = afterKeyword(at.node, key);
    }
  }
  return `#/${segments.join("/")}`;
}

/** `rewritten` (tuple-items.ts's rewrite of `original`) with each local $ref in it pointing where its schema now is. */
export function retargetTupleRefs(rewritten: Record<string, unknown>, original: Record<string, unknown>): Record<string, unknown> {
  const walk = (node: Record<string, unknown>): Record<string, unknown> => {
    const out = mapSubschemas(node, walk);
    if (typeof node.$ref === "string") out.$ref = retargeted(node.$ref, original);
    return out;
  };
  return walk(rewritten);
}
