/**
 * The schema nodes directly below a JSON Schema node, for the fakes' checks of the schemas they are
 * sent: found by the keywords that hold schemas, so a property named `items` or `minimum` is never
 * read as a keyword. `items` counts in both its forms (one schema, or the draft-07 list).
 *
 * @example schemaChildren({ properties: { a: { type: "string" } } }) // [{ type: "string" }]
 */
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

export function schemaChildren(node: Record<string, unknown>): Record<string, unknown>[] {
  const out: unknown[] = [];
  for (const key of ["items", "additionalItems", "additionalProperties", "contains", "not", "if", "then", "else"]) out.push(node[key]);
  for (const key of ["anyOf", "allOf", "oneOf", "prefixItems", "items"]) if (Array.isArray(node[key])) out.push(...(node[key] as unknown[]));
  for (const key of ["properties", "patternProperties", "$defs", "definitions"]) if (isObject(node[key])) out.push(...Object.values(node[key] as object));
  return out.filter(isObject);
}
