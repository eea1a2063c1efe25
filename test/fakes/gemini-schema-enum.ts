/**
 * Gemini's rule that `enum` belongs to a STRING schema: an enum on a schema whose type is missing or
 * another type is its 400, one line per such schema, naming a property by its name
 * ("* GenerateContentRequest.tools[0].function_declarations[14].parameters.properties[truncateMode].enum:
 * only allowed for STRING type", https://github.com/musistudio/claude-code-router/issues/475). Checked on
 * a request gemini-request.ts has parsed, so every schema here is an object or absent.
 *
 * @example enumTypeRefusal({ generationConfig: { responseSchema: { enum: ["a"] } } }) // "* GenerateContentRequest.generation_config.response_schema.enum: only allowed for STRING type"
 */

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function collect(schema: unknown, path: string, out: string[]): void {
  if (!isObject(schema)) return;
  const enumValues = schema.enum;
  if (Array.isArray(enumValues) && enumValues.length > 0 && String(schema.type ?? "").toUpperCase() !== "STRING") {
    out.push(`* GenerateContentRequest.${path}.enum: only allowed for STRING type`);
  }
  if (isObject(schema.properties)) for (const [name, p] of Object.entries(schema.properties)) collect(p, `${path}.properties[${name}]`, out);
  collect(schema.items, `${path}.items`, out);
  if (Array.isArray(schema.anyOf)) schema.anyOf.forEach((s, i) => collect(s, `${path}.any_of[${i}]`, out));
}

/** The message of Gemini's 400 for the request's misplaced enums, or null when there are none. */
export function enumTypeRefusal(body: Record<string, unknown>): string | null {
  const out: string[] = [];
  const tools = Array.isArray(body.tools) ? body.tools : [];
  tools.forEach((tool, i) => {
    const declarations = isObject(tool) && Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : [];
    declarations.forEach((d, j) => isObject(d) && collect(d.parameters, `tools[${i}].function_declarations[${j}].parameters`, out));
  });
  if (isObject(body.generationConfig)) collect(body.generationConfig.responseSchema, "generation_config.response_schema", out);
  return out.length > 0 ? out.join("\n") : null;
}
