/**
 * The smallest honest instance of a JSON Schema, for the echo vendor's tool call arguments and
 * structured outputs: strings are the echo text (formats, lengths and pattern respected) and numbers
 * the smallest allowed (schema-scalars.ts), booleans false, enum/const their (first) value, arrays
 * their tuple (prefixItems, or draft 4's items array) then `minItems` items (at least one), objects
 * their required properties (every property when `all`, as under strict; then optional or additional
 * ones up to minProperties), each typed by properties, else patternProperties, else
 * additionalProperties; anyOf/oneOf their first branch, allOf merged as one schema first
 * (schema-merge.ts), `$ref` resolved in the root (`#/$defs/…`, `#/definitions/…`, `#`).
 * A recursive schema ends: from MAX_DEPTH levels on a node takes its ending form where it has one (null
 * when its type list or an anyOf/oneOf branch allows null, an array its fewest items, an object only its
 * required properties); from HARD_DEPTH levels on, or past MAX_NODES nodes in all, a node is the smallest
 * value of its type ({} [] null "" 0 false) whatever the schema asks, so any schema has a finite answer;
 * an instance over MAX_INSTANCE_CHARS characters (or the caller's smaller budget) is not built.
 * A schema it cannot read or meet (a `$ref` to nothing or not local, a pattern no simple string
 * matches, bounds no number meets, a size it will not build) throws a SchemaError naming why.
 *
 * @example minimalInstance({ type: "object", properties: { a: { type: "string" }, b: { type: "integer" } }, required: ["a"] }, "hi") // { a: "hi" }
 */
import { mergeAllOf } from "./schema-merge.ts";
import { matches, matching, numberOf, SchemaError, stringOf, type Schema } from "./schema-scalars.ts";

export { SchemaError } from "./schema-scalars.ts";

/** From this depth a recursive schema takes its ending form (null, fewest items, required properties only). */
const MAX_DEPTH = 12;
/** From this depth, or past MAX_NODES nodes, a node is the smallest value of its type, valid or not. */
const HARD_DEPTH = 32;
const MAX_NODES = 10_000;
/** The most characters (strings, keys, const/enum values as JSON, one a node) an instance may have; past it a SchemaError. */
export const MAX_INSTANCE_CHARS = 1_000_000;
/** A `$ref` chain longer than this (`{$ref: "#"}` at the root, say) is read as no type at all. */
const MAX_REF_HOPS = 16;

interface Context {
  text: string;
  all: boolean;
  root: unknown;
  nodes: number;
  /** Characters written so far, and the most it may write (MAX_INSTANCE_CHARS or less). */
  chars: number;
  maxChars: number;
}

/** `n` more characters written; past the budget the instance is not built further. */
function spend<T>(cx: Context, n: number, value: T): T {
  cx.chars += n;
  if (cx.chars > cx.maxChars) throw new SchemaError(`its instance is larger than the echo vendor writes (${cx.maxChars} characters).`);
  return value;
}
const jsonLength = (value: unknown): number => JSON.stringify(value)?.length ?? 0;
const isObject = (v: unknown): v is Schema => typeof v === "object" && v !== null && !Array.isArray(v);

/** A `$ref` segment's percent escapes decoded; a malformed one (`%E0%A4%A`) is a SchemaError, not a URIError. */
function decoded(segment: string, ref: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new SchemaError(`reference '${ref}' has a malformed percent escape.`);
  }
}

function resolve(ref: string, root: unknown): unknown {
  if (!ref.startsWith("#")) throw new SchemaError(`reference '${ref}' is not within the schema (only '#…' references are read).`);
  let node = root;
  for (const raw of ref.slice(1).split("/").filter((p) => p !== "")) {
    const key = decoded(raw, ref).replace(/~1/g, "/").replace(/~0/g, "~");
    // Own keys only: `#/__proto__/constructor` is not in the schema, however the object inherits it.
    node = (isObject(node) || Array.isArray(node)) && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
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

function typeOf(schema: Schema): string | undefined {
  const type = Array.isArray(schema.type) ? (schema.type.find((t) => t !== "null") ?? schema.type[0]) : schema.type;
  if (typeof type === "string") return type;
  if (isObject(schema.properties) || Array.isArray(schema.required) || isObject(schema.patternProperties) || isObject(schema.additionalProperties) || schema.minProperties !== undefined) return "object";
  if (schema.items !== undefined || Array.isArray(schema.prefixItems) || schema.minItems !== undefined) return "array";
  return undefined;
}

/** The schema a property is held to: its `properties` entry, else the first patternProperties matching it, else additionalProperties. */
function schemaOf(node: Schema, key: string): unknown {
  if (isObject(node.properties) && Object.hasOwn(node.properties, key)) return node.properties[key];
  if (isObject(node.patternProperties)) {
    for (const [pattern, schema] of Object.entries(node.patternProperties)) if (matches(pattern, key)) return schema;
  }
  return isObject(node.additionalProperties) ? node.additionalProperties : {};
}

/**
 * Keys the object allows beyond its properties (minProperties), each not yet `taken`: key1, key2…
 * (counting on from the last one given, so each key costs one Set lookup), or ones a
 * patternProperties pattern matches.
 */
function extraKeys(node: Schema, taken: Set<string>, text: string): () => string {
  const free = (key: string) => !taken.has(key) && !(isObject(node.properties) && Object.hasOwn(node.properties, key));
  let next = 1;
  return () => {
    if (node.additionalProperties !== false) {
      while (!free(`key${next}`)) next++;
      return `key${next++}`;
    }
    for (const pattern of isObject(node.patternProperties) ? Object.keys(node.patternProperties) : []) {
      const key = matching(pattern, [text], 0, Infinity, free);
      if (key !== undefined) return key;
    }
    throw new SchemaError(`minProperties ${String(node.minProperties)} is more properties than the schema allows.`);
  };
}

/** `maxChars`: the size budget (MAX_INSTANCE_CHARS at most). */
export function minimalInstance(schema: unknown, text: string, options: { all?: boolean; maxChars?: number } = {}): unknown {
  const maxChars = Math.min(options.maxChars ?? MAX_INSTANCE_CHARS, MAX_INSTANCE_CHARS);
  return instance(schema, { text, all: options.all === true, root: schema, nodes: 0, chars: 0, maxChars }, 0);
}

function instance(node: unknown, cx: Context, depth: number): unknown {
  const { text, root } = cx;
  spend(cx, 1, null);
  if (!isObject(node)) return spend(cx, text.length, text);
  if (depth >= HARD_DEPTH || ++cx.nodes > MAX_NODES) return smallest(node, root);
  const ending = depth >= MAX_DEPTH;
  const all = cx.all && !ending;
  if (Array.isArray(node.allOf)) return instance(mergeAllOf(node, (ref) => resolve(ref, root)), cx, depth + 1);
  if (typeof node.$ref === "string") return instance(resolve(node.$ref, root), cx, depth + 1);
  if ("const" in node) return spend(cx, jsonLength(node.const), node.const);
  if (Array.isArray(node.enum) && node.enum.length > 0) return ending && node.enum.includes(null) ? null : spend(cx, jsonLength(node.enum[0]), node.enum[0]);
  if (ending && nullable(node)) return null;
  const branches = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : null;
  if (branches && branches.length > 0) {
    const end = branches.find(nullable);
    return instance(ending && end ? end : branches[0], cx, depth + 1);
  }
  switch (typeOf(node)) {
    case "string": {
      const out = stringOf(node, text);
      return spend(cx, out.length, out);
    }
    case "integer":
      return numberOf(node, true);
    case "number":
      return numberOf(node, false);
    case "boolean":
      return false;
    case "null":
      return null;
    case "array": {
      // A tuple: prefixItems, or draft 4's items array (then additionalItems for the rest).
      const tuple = Array.isArray(node.prefixItems) ? node.prefixItems : Array.isArray(node.items) ? node.items : [];
      const rest = Array.isArray(node.items) ? node.additionalItems : node.items;
      const min = typeof node.minItems === "number" ? node.minItems : 0;
      const max = typeof node.maxItems === "number" ? node.maxItems : Infinity;
      if (min > max) throw new SchemaError(`no array has at least minItems ${min} and at most maxItems ${max} items.`);
      const fixed = tuple.slice(0, ending ? Math.min(min, tuple.length) : tuple.length).map((item) => instance(item, cx, depth + 1));
      const wanted = Math.min(max, Math.max(min, ending ? 0 : 1));
      if (wanted > MAX_NODES) throw new SchemaError(`minItems ${min} is more items than the echo vendor builds (${MAX_NODES}).`);
      const items = rest === false ? [] : Array.from({ length: Math.max(0, wanted - fixed.length) }, () => instance(rest ?? {}, cx, depth + 1));
      return [...fixed, ...items];
    }
    case "object": {
      const properties = isObject(node.properties) ? node.properties : {};
      const required = Array.isArray(node.required) ? node.required.filter((k): k is string => typeof k === "string") : [];
      const keys = all ? [...new Set([...Object.keys(properties), ...required])] : [...new Set(required)];
      const minProperties = typeof node.minProperties === "number" ? node.minProperties : 0;
      if (minProperties > MAX_NODES) throw new SchemaError(`minProperties ${minProperties} is more properties than the echo vendor builds (${MAX_NODES}).`);
      const taken = new Set(keys);
      const add = (key: string) => (taken.add(key), keys.push(key));
      for (const key of Object.keys(properties)) {
        if (keys.length >= minProperties) break;
        if (!taken.has(key)) add(key);
      }
      const extraKey = extraKeys(node, taken, text);
      while (keys.length < minProperties) add(extraKey());
      return Object.fromEntries(keys.map((key) => [spend(cx, key.length, key), instance(schemaOf(node, key), cx, depth + 1)]));
    }
    default:
      // No type: the text, counted like any string written.
      return spend(cx, text.length, text);
  }
}
