/**
 * Keywords a vendor's schema cannot be sent with, written into that schema's `description` instead, as
 * Anthropic's own SDKs do for its strict tools (transform_schema in Python, transformJSONSchema in
 * TypeScript: `{minimum: 0, maximum: 150}`, after the description it had, if any), so the model still
 * reads them though the vendor does not enforce them. Used by Anthropic's strict tools
 * (anthropic/strict-schema.ts) and Gemini's formats (gemini/schema.ts).
 *
 * @example describeKeywords({ type: "integer", description: "Age" }, [["minimum", 0]]) // { type: "integer", description: "Age\n\n{minimum: 0}" }
 */
export function describeKeywords(schema: Record<string, unknown>, keywords: Array<[string, unknown]>): Record<string, unknown> {
  if (keywords.length === 0) return schema;
  const constraints = `{${keywords.map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(", ")}}`;
  return { ...schema, description: typeof schema.description === "string" && schema.description !== "" ? `${schema.description}\n\n${constraints}` : constraints };
}
