/**
 * JSON Schema's `type: [..]` list → Gemini, whose Schema takes one type: "null" becomes
 * `nullable: true`, one other type stays `type`, several become `anyOf` with one branch per type,
 * each branch taking the keywords that only apply to its type (minLength to the string branch...).
 *
 * @example splitTypeList({ type: ["string", "integer"], minLength: 1 })
 * // { anyOf: [{ type: "string", minLength: 1 }, { type: "integer" }] }
 */

// A Map, not an object: a client's type name ("constructor", "__proto__") must not find Object.prototype's members.
const KEYWORDS_OF = new Map<string, string[]>([
  ["string", ["minLength", "maxLength", "pattern", "format"]],
  ["number", ["minimum", "maximum", "format"]],
  ["integer", ["minimum", "maximum", "format"]],
  ["array", ["items", "minItems", "maxItems"]],
  ["object", ["properties", "required", "minProperties", "maxProperties", "propertyOrdering"]],
]);

/** `schema` with its `type` list rewritten; null when the list allows nothing but null. */
export function splitTypeList(schema: Record<string, unknown>): Record<string, unknown> | null {
  const list = schema.type as unknown[];
  const types = list.filter((t) => t !== "null");
  if (types.length === 0) return null;
  const { type: _list, ...rest } = schema;
  const nullable = types.length !== list.length ? { nullable: true } : {};
  if (types.length === 1) return { ...rest, type: types[0], ...nullable };
  const moved = new Set<string>();
  const anyOf = types.map((type) => {
    const branch: Record<string, unknown> = { type };
    for (const key of KEYWORDS_OF.get(String(type)) ?? []) {
      if (key in rest) {
        branch[key] = rest[key];
        moved.add(key);
      }
    }
    return branch;
  });
  const kept = Object.fromEntries(Object.entries(rest).filter(([key]) => !moved.has(key)));
  return { anyOf, ...kept, ...nullable };
}
