/**
 * The schemas directly inside a JSON Schema node, found by the keywords that hold schemas (drafts 07
 * to 2020-12), so a walk never mistakes a property named `items` or `minimum` for a keyword.
 *
 * @example subschemasOf({ properties: { a: { type: "string" } }, items: [{ type: "number" }] }) // [{ type: "string" }, { type: "number" }]
 */

/** Keywords whose value is one schema. */
export const ONE = ["items", "additionalItems", "additionalProperties", "contains", "not", "if", "then", "else", "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema"];
/** Keywords whose value is a list of schemas (`items` too, in its draft-07 tuple form). */
export const LIST = ["allOf", "anyOf", "oneOf", "prefixItems", "items"];
/** Keywords whose value maps names to schemas (draft-07 `dependencies` maps to a schema or a list of names). */
export const MAP = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"];

export const isSchemaObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

export function subschemasOf(node: Record<string, unknown>): Record<string, unknown>[] {
  const found: unknown[] = [];
  for (const key of ONE) found.push(node[key]);
  for (const key of LIST) if (Array.isArray(node[key])) found.push(...(node[key] as unknown[]));
  for (const key of MAP) if (isSchemaObject(node[key])) found.push(...Object.values(node[key] as Record<string, unknown>));
  return found.filter(isSchemaObject);
}

/**
 * A copy of the node with each schema directly inside it replaced by `map(schema)`; everything else
 * (boolean schemas, names, values) as it was.
 *
 * @example mapSubschemas({ anyOf: [{ type: "string" }] }, (s) => ({ ...s, title: "t" })) // { anyOf: [{ type: "string", title: "t" }] }
 */
export function mapSubschemas(node: Record<string, unknown>, map: (schema: Record<string, unknown>) => unknown): Record<string, unknown> {
  const one = (value: unknown) => (isSchemaObject(value) ? map(value) : value);
  const out: Record<string, unknown> = { ...node };
  for (const key of ONE) if (isSchemaObject(node[key])) out[key] = map(node[key] as Record<string, unknown>);
  for (const key of LIST) if (Array.isArray(node[key])) out[key] = (node[key] as unknown[]).map(one);
  for (const key of MAP) if (isSchemaObject(node[key])) out[key] = Object.fromEntries(Object.entries(node[key] as Record<string, unknown>).map(([name, value]) => [name, one(value)]));
  return out;
}
