/**
 * Gemini's rules tying a schema keyword to a type, each broken one a line of its 400 naming a property
 * by its name: `enum` on a STRING schema only ("* GenerateContentRequest.tools[0].function_declarations[14]
 * .parameters.properties[truncateMode].enum: only allowed for STRING type",
 * https://github.com/musistudio/claude-code-router/issues/475); `properties` and `required` on an OBJECT
 * only ("...parameters.properties[data].properties: only allowed for OBJECT type", and `.required`,
 * https://github.com/anomalyco/opencode/issues/11889); and no explicit empty properties map on an
 * OBJECT, "...properties[go_back].properties: should be non-empty for OBJECT type"
 * (https://github.com/browser-use/browser-use/issues/3786, `properties: {}`; at the root,
 * "...parameters.properties: ..." or "generation_config.response_schema.properties: ..."). An OBJECT
 * with no properties key, a free-form object, is taken: LiteLLM (test_build_vertex_schema) and the
 * Vercel AI SDK (vercel/ai#11319) send `{type: "object"}` nested, and the reports of that 400 whose
 * schema they show are for an empty map. Checked on a request gemini-request.ts has parsed, so every
 * schema here is an object or absent.
 *
 * @example schemaTypeRefusal({ generationConfig: { responseSchema: { enum: ["a"] } } }) // "* GenerateContentRequest.generation_config.response_schema.enum: only allowed for STRING type"
 */

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function collect(schema: unknown, path: string, out: string[]): void {
  if (!isObject(schema)) return;
  const type = String(schema.type ?? "").toUpperCase();
  const enumValues = schema.enum;
  if (Array.isArray(enumValues) && enumValues.length > 0 && type !== "STRING") out.push(`* GenerateContentRequest.${path}.enum: only allowed for STRING type`);
  if (type === "OBJECT") {
    if (isObject(schema.properties) && Object.keys(schema.properties).length === 0) out.push(`* GenerateContentRequest.${path}.properties: should be non-empty for OBJECT type`);
  } else {
    // An empty map or list is no field at all in protobuf JSON, so only a non-empty one is refused.
    if (isObject(schema.properties) && Object.keys(schema.properties).length > 0) out.push(`* GenerateContentRequest.${path}.properties: only allowed for OBJECT type`);
    if (Array.isArray(schema.required) && schema.required.length > 0) out.push(`* GenerateContentRequest.${path}.required: only allowed for OBJECT type`);
  }
  if (isObject(schema.properties)) for (const [name, p] of Object.entries(schema.properties)) collect(p, `${path}.properties[${name}]`, out);
  collect(schema.items, `${path}.items`, out);
  if (Array.isArray(schema.anyOf)) schema.anyOf.forEach((s, i) => collect(s, `${path}.any_of[${i}]`, out));
}

/** The message of Gemini's 400 for the request's schemas that break these rules, or null when none does. */
export function schemaTypeRefusal(body: Record<string, unknown>): string | null {
  const out: string[] = [];
  const tools = Array.isArray(body.tools) ? body.tools : [];
  tools.forEach((tool, i) => {
    const declarations = isObject(tool) && Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : [];
    declarations.forEach((d, j) => isObject(d) && collect(d.parameters, `tools[${i}].function_declarations[${j}].parameters`, out));
  });
  if (isObject(body.generationConfig)) collect(body.generationConfig.responseSchema, "generation_config.response_schema", out);
  return out.length > 0 ? out.join("\n") : null;
}
