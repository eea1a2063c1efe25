/**
 * Merging a converted schema into another, for the Gemini translation's inlined `$ref` and one-schema
 * `allOf` (Gemini's Schema has neither): `properties` are joined and `required` lists united, so a
 * derived model keeps its base's fields next to its own; any other keyword of `own` wins over `base`'s
 * (a description next to a `$ref`). A property both define, with different schemas, cannot be merged
 * faithfully: its name comes back as the conflict.
 *
 * @example mergeSchemas({ properties: { id: S }, required: ["id"] }, { properties: { note: S }, required: ["note"] })
 * // { properties: { id: S, note: S }, required: ["id", "note"] }
 */
import { isDeepStrictEqual } from "node:util";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function mergeSchemas(base: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> | { conflict: string } {
  const merged = { ...base, ...own };
  if (isObject(base.properties) && isObject(own.properties)) {
    for (const [name, schema] of Object.entries(own.properties)) {
      if (Object.hasOwn(base.properties, name) && !isDeepStrictEqual(base.properties[name], schema)) return { conflict: name };
    }
    // Spread, not assignment: a property named "__proto__" stays a property.
    merged.properties = { ...base.properties, ...own.properties };
  }
  if (Array.isArray(base.required) && Array.isArray(own.required)) merged.required = [...new Set([...base.required, ...own.required])];
  return merged;
}
