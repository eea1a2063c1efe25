/**
 * A json_schema response_format's `description` ("what the response format is for, used by the model
 * to determine how to respond in the format", OpenAI) put where a vendor's model reads it: first in the
 * root description of the schema sent (Anthropic's JSON outputs, Gemini's responseSchema), before the
 * schema's own if it has one.
 *
 * @example withFormatDescription({ type: "object", description: "A city." }, "Where to go") // { type: "object", description: "Where to go\n\nA city." }
 */

/** `schema` with the response format's description first in its root description (none: `schema` as it is). */
export function withFormatDescription(schema: Record<string, unknown>, description: unknown): Record<string, unknown> {
  if (typeof description !== "string" || description.trim() === "") return schema;
  const own = typeof schema.description === "string" && schema.description !== "" ? `\n\n${schema.description}` : "";
  return { ...schema, description: `${description}${own}` };
}
