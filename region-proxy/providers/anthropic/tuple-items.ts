/**
 * Draft-07 tuples rewritten as draft 2020-12 says the same thing. Anthropic validates every
 * input_schema against draft 2020-12, where `items` is one schema, and refuses the whole request
 * when a list stands there ("tools.0.custom.input_schema: JSON schema is invalid. It must match JSON
 * Schema draft 2020-12"); zod 4's toJSONSchema with target draft-7 and MCP servers write tuples as
 * `items: [A, B]` with `additionalItems`, which OpenAI takes. At every depth, `items: [A, B]` becomes
 * `prefixItems: [A, B]` and `additionalItems: X` becomes `items: X` (no additionalItems: no `items`,
 * any further element allowed; `false`: `items: false`). An `additionalItems` beside a single-schema
 * `items`, or without `items`, is ignored in draft-07 and left out. A node with both `prefixItems` and
 * a list `items` mixes the two drafts and has no faithful rewrite: refused, naming the client's field.
 * A local `$ref` into a rewritten tuple is moved with it, so it still names its schema (tuple-refs.ts).
 *
 * @example draft2020Tuples({ type: "array", items: [{ type: "number" }], additionalItems: false }, "tools[0].function.parameters") // { type: "array", prefixItems: [{ type: "number" }], items: false }
 */
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { mapSubschemas } from "./subschemas.ts";
import { retargetTupleRefs } from "./tuple-refs.ts";

export function draft2020Tuples(schema: Record<string, unknown>, param: string): Record<string, unknown> {
  return retargetTupleRefs(rewriteTuples(schema, param), schema);
}

function rewriteTuples(schema: Record<string, unknown>, param: string): Record<string, unknown> {
  const node = mapSubschemas(schema, (sub) => rewriteTuples(sub, param));
  if (!("additionalItems" in node) && !Array.isArray(node.items)) return node;
  if (Array.isArray(node.items) && node.prefixItems !== undefined) {
    throw new UnsupportedParameterError(param, `A schema in ${param} has both prefixItems (draft 2020-12) and a list of items (draft-07); this provider takes draft 2020-12 only: use prefixItems, with items for the elements after them.`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "additionalItems") continue;
    if (key !== "items" || !Array.isArray(value)) out[key] = value;
    else {
      out.prefixItems = value;
      if (node.additionalItems !== undefined) out.items = node.additionalItems;
    }
  }
  return out;
}
