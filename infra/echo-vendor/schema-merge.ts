/**
 * allOf as one schema, for schema-instance.ts: the node's own keywords and each part's (a part's
 * `$ref` followed, its own allOf flattened, MAX_HOPS deep at most) merged before an instance is built,
 * so `required` in one part meets the property's type in another. Properties in several parts are the
 * allOf of their schemas, required lists join, types intersect (none in common: a SchemaError), lower bounds take the highest and upper
 * bounds the lowest; any other keyword keeps the first part's value. More than MAX_PARTS parts is a SchemaError.
 *
 * @example mergeAllOf({ allOf: [{ properties: { a: { type: "integer" } } }, { required: ["a"] }] }, resolve) // { properties: { a: … }, required: ["a"] }
 */
import { SchemaError, type Schema } from "./schema-scalars.ts";

const MAX_HOPS = 16;
/** The most parts (own keywords, `$ref`s and allOf parts, flattened) one allOf is merged from. */
const MAX_PARTS = 1000;
const LOWER = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"];
const UPPER = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"];

const isObject = (v: unknown): v is Schema => typeof v === "object" && v !== null && !Array.isArray(v);
const types = (t: unknown): string[] => (Array.isArray(t) ? t.filter((x): x is string => typeof x === "string") : typeof t === "string" ? [t] : []);

/**
 * A node's parts: its own keywords, then its `$ref`'s and its allOf parts', each flattened, into `out`.
 * Repeated `allOf: [{$ref: "#"}, …]` doubles them at each level: past MAX_PARTS it is a SchemaError.
 */
function parts(node: unknown, resolve: (ref: string) => unknown, hops: number, out: Schema[]): Schema[] {
  if (!isObject(node) || hops > MAX_HOPS) return out;
  const { allOf, $ref, ...own } = node;
  if (out.length >= MAX_PARTS) throw new SchemaError(`its allOf has more parts than the echo vendor merges (${MAX_PARTS}).`);
  out.push(own);
  if (typeof $ref === "string") parts(resolve($ref), resolve, hops + 1, out);
  if (Array.isArray(allOf)) for (const part of allOf) parts(part, resolve, hops + 1, out);
  return out;
}

function mergeTwo(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const mine = out[key];
    if (mine === undefined) out[key] = value;
    else if (key === "properties" && isObject(mine) && isObject(value)) {
      const merged: Schema = { ...mine };
      for (const [name, schema] of Object.entries(value)) merged[name] = name in merged ? { allOf: [merged[name], schema] } : schema;
      out.properties = merged;
    } else if (key === "required" && Array.isArray(mine) && Array.isArray(value)) out.required = [...new Set([...mine, ...value])];
    else if (key === "type") {
      const ta = types(mine);
      const tb = types(value);
      const both = ta.filter((t) => tb.includes(t));
      if (ta.includes("number") && tb.includes("integer")) both.push("integer");
      if (ta.includes("integer") && tb.includes("number") && !both.includes("integer")) both.push("integer");
      if (both.length > 0) out.type = both.length === 1 ? both[0] : both;
      else if (ta.length > 0 && tb.length > 0) throw new SchemaError(`its allOf parts' types (${ta.join(", ")} and ${tb.join(", ")}) have none in common.`);
    } else if (typeof mine === "number" && typeof value === "number" && LOWER.includes(key)) out[key] = Math.max(mine, value);
    else if (typeof mine === "number" && typeof value === "number" && UPPER.includes(key)) out[key] = Math.min(mine, value);
  }
  return out;
}

/** The node with its allOf (and `$ref`) merged into one schema without either. */
export function mergeAllOf(node: Schema, resolve: (ref: string) => unknown): Schema {
  return parts(node, resolve, 0, []).reduce(mergeTwo, {});
}
