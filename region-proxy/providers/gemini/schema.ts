/**
 * JSON Schema → Gemini's Schema object (https://ai.google.dev/api/caching#Schema), an OpenAPI 3.0
 * subset. Keys Gemini does not know (additionalProperties, $schema, strict...) are dropped, since it
 * refuses the whole request over them; `type: ["string","null"]` becomes `type` + `nullable`.
 * Dropping additionalProperties:false loosens the contract a little; the model still sees `properties`.
 */
const KNOWN = new Set([
  "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required",
  "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering",
  "default", "items", "minimum", "maximum",
]);

export function toGeminiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toGeminiSchema);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    if (!KNOWN.has(key)) continue;
    if (key === "properties" && typeof value === "object" && value !== null) {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toGeminiSchema(v)]));
    } else if (key === "items" || key === "anyOf") out[key] = toGeminiSchema(value);
    else if (key === "type" && Array.isArray(value)) {
      const types = value.filter((t) => t !== "null");
      if (types.length !== value.length) out.nullable = true;
      out.type = types.length === 1 ? types[0] : types;
    } else out[key] = value;
  }
  return out;
}
