/**
 * The smallest honest instance of a JSON Schema, for the echo vendor's tool call arguments and
 * structured outputs: strings are the echo text (formats and lengths respected), numbers the smallest
 * allowed (0 when unbounded), booleans false, enum/const their (first) value, arrays `minItems` items
 * (at least one), objects their required properties (every property when `all`, as under strict), anyOf/oneOf
 * their first branch, allOf merged, `$ref` resolved in the root (`#/$defs/…`, `#/definitions/…`, `#`).
 * A recursive schema is cut after MAX_DEPTH levels (a nullable branch, or an empty array, ends it).
 *
 * @example minimalInstance({ type: "object", properties: { a: { type: "string" }, b: { type: "integer" } }, required: ["a"] }, "hi") // { a: "hi" }
 */
type Schema = Record<string, unknown>;

const MAX_DEPTH = 12;
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
  if (!ref.startsWith("#")) return {};
  let node = root;
  for (const raw of ref.slice(1).split("/").filter((p) => p !== "")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = isObject(node) ? node[key] : undefined;
  }
  return node ?? {};
}

function stringOf(schema: Schema, text: string): string {
  const format = typeof schema.format === "string" ? FORMATS[schema.format] : undefined;
  let out = format ?? text;
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
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
  return instance(schema, text, options.all === true, schema, 0);
}

function instance(node: unknown, text: string, all: boolean, root: unknown, depth: number): unknown {
  if (!isObject(node)) return text;
  if (typeof node.$ref === "string") return instance(resolve(node.$ref, root), text, all, root, depth + 1);
  if ("const" in node) return node.const;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
  const branches = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : null;
  if (branches && branches.length > 0) {
    const nullable = branches.find((b) => isObject(b) && b.type === "null");
    return instance(depth >= MAX_DEPTH && nullable ? nullable : branches[0], text, all, root, depth + 1);
  }
  if (Array.isArray(node.allOf) && node.allOf.length > 0) {
    const parts = node.allOf.map((part) => instance(part, text, all, root, depth + 1));
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
      const fixed = Array.isArray(node.prefixItems) ? node.prefixItems.map((item) => instance(item, text, all, root, depth + 1)) : [];
      const min = typeof node.minItems === "number" ? node.minItems : 0;
      const max = typeof node.maxItems === "number" ? node.maxItems : Infinity;
      const wanted = Math.min(max, Math.max(min, depth >= MAX_DEPTH ? 0 : 1));
      const items = node.items === false ? [] : Array.from({ length: Math.max(0, wanted - fixed.length) }, () => instance(node.items ?? {}, text, all, root, depth + 1));
      return [...fixed, ...items];
    }
    case "object": {
      const properties = isObject(node.properties) ? node.properties : {};
      const required = Array.isArray(node.required) ? node.required.filter((k): k is string => typeof k === "string") : [];
      const keys = all ? [...new Set([...Object.keys(properties), ...required])] : required;
      return Object.fromEntries(keys.map((key) => [key, instance(properties[key] ?? {}, text, all, root, depth + 1)]));
    }
    default:
      return text;
  }
}
