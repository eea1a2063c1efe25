/**
 * A tool's `function.parameters` as the object schema Anthropic and Gemini expect at its root. OpenAI
 * takes a tool without parameters, `{}`, or a schema with no top-level `type` (MCP servers publish
 * `{properties: {...}}`); Anthropic refuses an input_schema without `type` ("input_schema.type: Field
 * required") and Gemini reads the root as an OBJECT schema. So: none, or a typeless schema that
 * describes nothing, is `undefined` (the tool takes no parameters: each vendor says so its own way);
 * a typeless schema with properties gets `type: "object"`. Anything else (a typed schema, a root of
 * `$ref` or alternatives, a value that is no schema at all) is returned as given, for the vendor's
 * own translation or refusal to judge: guessing there could change what the schema means.
 *
 * @example toolParameters({ properties: { q: { type: "string" } } }) // { type: "object", properties: { q: { type: "string" } } }
 */
const DESCRIBES_SHAPE = ["properties", "$ref", "anyOf", "oneOf", "allOf"];

export function toolParameters(parameters: unknown): unknown {
  if (parameters == null) return undefined;
  if (typeof parameters !== "object" || Array.isArray(parameters)) return parameters;
  const schema = parameters as Record<string, unknown>;
  if (schema.type !== undefined) return schema;
  if (schema.properties !== undefined) return { type: "object", ...schema };
  return DESCRIBES_SHAPE.some((key) => schema[key] !== undefined) ? schema : undefined;
}
