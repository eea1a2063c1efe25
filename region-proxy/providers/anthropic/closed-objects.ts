/**
 * A schema with each object that lists its properties but says nothing of others (additionalProperties
 * absent) closed to them, `additionalProperties: false`, at every level, as Anthropic's SDKs close every
 * object before sending a JSON outputs schema (transformJSONSchema in anthropic-sdk-typescript,
 * src/lib/transform-json-schema.ts). Closing only narrows what the answer may hold: an answer of the
 * closed schema is valid for the one given. An object open by `additionalProperties` true or a schema is
 * left as it is (strict-inexpressible.ts finds it), and so is one listing no properties, or with
 * patternProperties: closed, a record would always be empty, which is no longer what it asked for.
 *
 * @example closeListedObjects({ type: "object", properties: { a: { type: "string" } } }) // { type: "object", properties: { a: { type: "string" } }, additionalProperties: false }
 */
import { resolveLocal } from "./strict-inexpressible.ts";
import { isSchemaObject, subschemasOf } from "./subschemas.ts";

/**
 * Where a narrower subschema narrows the whole, so closing there keeps an answer valid for the client's
 * schema: not under `not` or `if`, where it would widen it, nor `oneOf` (exactly one: `{"b": "x"}`
 * matches both open parts of `oneOf [{properties a}, {properties b}]`, so is refused, but only the
 * second closed one), nor `allOf`, whose parts each list some of the properties (closed, each would
 * refuse the others'); those objects stay open (and refused).
 */
const ONE = ["items"];
const LIST = ["items", "prefixItems", "anyOf"];
const MAP = ["properties", "$defs", "definitions"];

/**
 * The nodes a part of a `oneOf` anywhere in the schema is made of: its subschemas and what their local
 * `$ref`s point to (a $defs entry, pydantic's discriminated unions, or any other node), onward.
 * Closed there, they would close the part. (`not` and `if` need no such care: strict-schema.ts sends
 * neither, writing them into the description.)
 */
function oneOfNodes(root: Record<string, unknown>): Set<Record<string, unknown>> {
  const reached = new Set<Record<string, unknown>>();
  const reach = (node: Record<string, unknown>): void => {
    if (reached.has(node)) return;
    reached.add(node);
    const target = typeof node.$ref === "string" ? resolveLocal(root, node.$ref) : undefined;
    if (isSchemaObject(target)) reach(target);
    subschemasOf(node).forEach(reach);
  };
  const seen = new Set<Record<string, unknown>>();
  const find = (node: Record<string, unknown>): void => {
    if (seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node.oneOf)) node.oneOf.filter(isSchemaObject).forEach(reach);
    subschemasOf(node).forEach(find);
  };
  find(root);
  return reached;
}

function listsProperties(node: Record<string, unknown>): boolean {
  return isSchemaObject(node.properties) && Object.keys(node.properties).length > 0 && node.patternProperties === undefined;
}

/** The schema with its listed objects closed where that narrows it; none a part of a `oneOf` is made of (oneOfNodes). */
export function closeListedObjects(root: Record<string, unknown>): Record<string, unknown> {
  return closeAll(root, oneOfNodes(root));
}

/** The node with its listed objects closed, at every level but under the `kept` nodes, left as they are. */
function closeAll(node: Record<string, unknown>, kept: Set<Record<string, unknown>>): Record<string, unknown> {
  if (kept.has(node)) return node;
  const one = (value: unknown) => (isSchemaObject(value) ? closeAll(value, kept) : value);
  const out: Record<string, unknown> = { ...node };
  for (const key of ONE) if (isSchemaObject(node[key])) out[key] = one(node[key]);
  for (const key of LIST) if (Array.isArray(node[key])) out[key] = (node[key] as unknown[]).map(one);
  for (const key of MAP) if (isSchemaObject(node[key])) out[key] = Object.fromEntries(Object.entries(node[key] as Record<string, unknown>).map(([name, value]) => [name, one(value)]));
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes("object") && !Object.hasOwn(node, "additionalProperties") && listsProperties(node)) out.additionalProperties = false;
  return out;
}
