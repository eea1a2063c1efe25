/**
 * The smallest honest instance of a JSON Schema, for the echo vendor's tool call arguments and
 * structured outputs: strings are the echo text (formats and lengths respected), numbers the smallest
 * allowed (0 when unbounded), booleans false, enum/const their (first) value, arrays `minItems` items
 * (at least one), objects their required properties (every property when `all`, as under strict), anyOf/oneOf
 * their first branch, allOf merged, `$ref` resolved in the root (`#/$defs/…`, `#/definitions/…`, `#`).
 * A recursive schema ends: from MAX_DEPTH levels on a node takes its ending form where it has one (null
 * when its type list or an anyOf/oneOf branch allows null, an array its fewest items, an object only its
 * required properties); from HARD_DEPTH levels on, or past MAX_NODES nodes in all, a node is the smallest
 * value of its type ({} [] null "" 0 false) whatever the schema asks, so any schema has a finite answer.
 * A schema it cannot read (a `$ref` to nothing, or not local) throws a SchemaError naming why.
 *
 * @example minimalInstance({ type: "object", properties: { a: { type: "string" }, b: { type: "integer" } }, required: ["a"] }, "hi") // { a: "hi" }
 */
type Schema = Record<string, unknown>;

/** From this depth a recursive schema takes its ending form (null, fewest items, required properties only). */
const MAX_DEPTH = 12;
/** From this depth, or past MAX_NODES nodes, a node is the smallest value of its type, valid or not. */
const HARD_DEPTH = 32;
const MAX_NODES = 10_000;
/** The longest string (minLength) it writes. */
const MAX_STRING = 100_000;
/** A `$ref` chain longer than this (`{$ref: "#"}` at the root, say) is read as no type at all. */
const MAX_REF_HOPS = 16;

/** A schema the echo vendor cannot build an instance of; the message says why. */
export class SchemaError extends Error {}

interface Context {
  text: string;
  all: boolean;
  root: unknown;
  nodes: number;
}
const isObject = (v: unknown): v is Schema => typeof v === "object" && v !== null && !Array.isArray(v);

const FORMATS: Record<string, string> = {
  "date-time": "1970-01-01T00:00:00Z",
  date: "1970-01-01",
  time: "00:00:00",
  duration: "P0D",
  email: "echo@example.com",
  hostname: "example.com",
  ipv4: "127.0.0.1",
  ipv6: "::1",
  uri: "https://example.com/",
  url: "https://example.com/",
  uuid: "00000000-0000-4000-8000-000000000000",
};

function resolve(ref: string, root: unknown): unknown {
  if (!ref.startsWith("#")) throw new SchemaError(`reference '${ref}' is not within the schema (only '#…' references are read).`);
  let node = root;
  for (const raw of ref.slice(1).split("/").filter((p) => p !== "")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  }
  if (node === undefined) throw new SchemaError(`reference '${ref}' points to nothing in the schema.`);
  return node;
}

/** The types a node's `type` lists (one or several). */
const typeList = (schema: Schema): unknown[] => (Array.isArray(schema.type) ? schema.type : [schema.type]);
const nullable = (schema: unknown): boolean => isObject(schema) && typeList(schema).includes("null");

const SMALLEST: Record<string, () => unknown> = { object: () => ({}), array: () => [], string: () => "", integer: () => 0, number: () => 0, boolean: () => false };

/** The smallest value of a node's type (its `$ref`s followed), null when it allows null or has no type. */
function smallest(node: unknown, root: unknown): unknown {
  for (let hops = 0; isObject(node) && typeof node.$ref === "string" && hops < MAX_REF_HOPS; hops++) node = resolve(node.$ref, root);
  if (!isObject(node) || nullable(node)) return null;
  const type = typeOf(node);
  return type !== undefined && SMALLEST[type] ? SMALLEST[type]() : null;
}

function stringOf(schema: Schema, text: string): string {
  const format = typeof schema.format === "string" ? FORMATS[schema.format] : undefined;
  let out = format ?? text;
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  if (min > MAX_STRING) throw new SchemaError(`minLength ${min} is longer than the echo vendor writes (${MAX_STRING}).`);
  if (out.length < min) out = out.padEnd(min, out === "" ? "x" : out);
  if (typeof schema.maxLength === "number" && out.length > schema.maxLength) out = out.slice(0, schema.maxLength);
  return out;
}

function numberOf(schema: Schema, integer: boolean): number {
  const exclusive = typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum : undefined;
  let low = typeof schema.minimum === "number" ? schema.minimum : exclusive !== undefined ? exclusive + (integer ? 1 : 0.5) : undefined;
  if (low === undefined) {
    const high = typeof schema.maximum === "number" ? schema.maximum : typeof schema.exclusiveMaximum === "number" ? schema.exclusiveMaximum - 1 : undefined;
    low = high !== undefined && high < 0 ? high : 0;
  }
  return integer ? Math.ceil(low) : low;
}

function typeOf(schema: Schema): string | undefined {
  const type = Array.isArray(schema.type) ? (schema.type.find((t) => t !== "null") ?? schema.type[0]) : schema.type;
  if (typeof type === "string") return type;
  if (isObject(schema.properties) || Array.isArray(schema.required)) return "object";
  if (schema.items !== undefined || Array.isArray(schema.prefixItems)) return "array";
  return undefined;
}

export function minimalInstance(schema: unknown, text: string, options: { all?: boolean } = {}): unknown {
  return instance(schema, { text, all: options.all === true, root: schema, nodes: 0 }, 0);
}

function instance(node: unknown, cx: Context, depth: number): unknown {
  const { text, root } = cx;
  if (!isObject(node)) return text;
  if (depth >= HARD_DEPTH || ++cx.nodes > MAX_NODES) return smallest(node, root);
  const ending = depth >= MAX_DEPTH;
  const all = cx.all && !ending;
  if (typeof node.$ref === "string") return instance(resolve(node.$ref, root), cx, depth + 1);
  if ("const" in node) return node.const;
  if (Array.isArray(node.enum) && node.enum.length > 0) return ending && node.enum.includes(null) ? null : node.enum[0];
  if (ending && nullable(node)) return null;
  const branches = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : null;
  if (branches && branches.length > 0) {
    const end = branches.find(nullable);
    return instance(ending && end ? end : branches[0], cx, depth + 1);
  }
  if (Array.isArray(node.allOf) && node.allOf.length > 0) {
    const parts = node.allOf.map((part) => instance(part, cx, depth + 1));
    return parts.every(isObject) ? Object.assign({}, ...parts) : parts[0];
  }
  switch (typeOf(node)) {
    case "string":
      return stringOf(node, text);
    case "integer":
      return numberOf(node, true);
    case "number":
      return numberOf(node, false);
    case "boolean":
      return false;
    case "null":
      return null;
    case "array": {
      const fixed = Array.isArray(node.prefixItems) ? node.prefixItems.map((item) => instance(item, cx, depth + 1)) : [];
      const min = typeof node.minItems === "number" ? node.minItems : 0;
      const max = typeof node.maxItems === "number" ? node.maxItems : Infinity;
      const wanted = Math.min(max, Math.max(min, ending ? 0 : 1));
      if (wanted > MAX_NODES) throw new SchemaError(`minItems ${min} is more items than the echo vendor builds (${MAX_NODES}).`);
      const items = node.items === false ? [] : Array.from({ length: Math.max(0, wanted - fixed.length) }, () => instance(node.items ?? {}, cx, depth + 1));
      return [...fixed, ...items];
    }
    case "object": {
      const properties = isObject(node.properties) ? node.properties : {};
      const required = Array.isArray(node.required) ? node.required.filter((k): k is string => typeof k === "string") : [];
      const keys = all ? [...new Set([...Object.keys(properties), ...required])] : required;
      return Object.fromEntries(keys.map((key) => [key, instance(properties[key] ?? {}, cx, depth + 1)]));
    }
    default:
      return text;
  }
}
