/**
 * Gemini's rules tying a schema keyword to a type, each broken one a line of its 400 naming a property
 * by its name: `enum` on a STRING schema only ("* GenerateContentRequest.tools[0].function_declarations[14]
 * .parameters.properties[truncateMode].enum: only allowed for STRING type",
 * https://github.com/musistudio/claude-code-router/issues/475); `properties` and `required` on an OBJECT
 * only ("...parameters.properties[data].properties: only allowed for OBJECT type", and `.required`,
 * https://github.com/anomalyco/opencode/issues/11889); each `required` entry one of the OBJECT's
 * properties ("...parameters.required[0]: property is not defined", https://github.com/iBUHub/AIStudioToAPI/issues/154,
 * `required: ["ref"]` with `properties: {}`); on a STRING, a `format` of 'enum' or 'date-time' only
 * ("...parameters.properties[url].format: only 'enum' and 'date-time' are supported for STRING type",
 * google-gemini/gemini-cli#2237, a `format: "uri"` from an MCP tool). That last is the stricter behaviour
 * of some Gemini versions (2025), kept so that a format the proxy would send is caught: Gemini's Schema
 * reference now says of `format` "Any value is allowed, but most do not trigger any special functionality"
 * (https://ai.google.dev/api/caching#Schema), and a current Gemini may take the rest.
 *
 * An OBJECT without properties: Gemini parses the JSON into a protobuf message, where an empty map and
 * no map are the same field, so both are judged alike. In a response schema, root or nested, it is
 * refused: "...response_schema.properties[go_back].properties: should be non-empty for OBJECT type"
 * (https://github.com/browser-use/browser-use/issues/3786; googleapis/js-genai#708, structured output
 * refusing objects without properties). As a function declaration's whole `parameters` too
 * ("...function_declarations[0].parameters.properties: should be non-empty for OBJECT type",
 * pipecat-ai/pipecat-flows#110, lobehub/lobehub#5002); nested in parameters it is taken, a free-form
 * object (vercel/ai#11319, LiteLLM's test_build_vertex_schema send `{type: "object"}` there). Checked on
 * a request gemini-request.ts has parsed, so every schema here is an object or absent.
 *
 * @example schemaTypeRefusal({ generationConfig: { responseSchema: { enum: ["a"] } } }) // "* GenerateContentRequest.generation_config.response_schema.enum: only allowed for STRING type"
 */

/** The formats the stricter Gemini versions took on a STRING (see above). */
const STRING_FORMATS = ["enum", "date-time"];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Where a schema sits: in a response schema, or in a declaration's parameters (its root or below). */
type Place = "response" | "parameters-root" | "parameters";

function collect(schema: unknown, path: string, place: Place, out: string[]): void {
  if (!isObject(schema)) return;
  const type = String(schema.type ?? "").toUpperCase();
  const enumValues = schema.enum;
  // An empty map or list is no field at all in protobuf JSON.
  const names = isObject(schema.properties) ? Object.keys(schema.properties) : [];
  const required = Array.isArray(schema.required) ? schema.required : [];
  if (Array.isArray(enumValues) && enumValues.length > 0 && type !== "STRING") out.push(`* GenerateContentRequest.${path}.enum: only allowed for STRING type`);
  if (type === "STRING" && typeof schema.format === "string" && schema.format !== "" && !STRING_FORMATS.includes(schema.format)) {
    out.push(`* GenerateContentRequest.${path}.format: only 'enum' and 'date-time' are supported for STRING type`);
  }
  if (type === "OBJECT") {
    if (names.length === 0 && place !== "parameters") out.push(`* GenerateContentRequest.${path}.properties: should be non-empty for OBJECT type`);
    required.forEach((name, i) => {
      if (!names.includes(String(name))) out.push(`* GenerateContentRequest.${path}.required[${i}]: property is not defined`);
    });
  } else {
    if (names.length > 0) out.push(`* GenerateContentRequest.${path}.properties: only allowed for OBJECT type`);
    if (required.length > 0) out.push(`* GenerateContentRequest.${path}.required: only allowed for OBJECT type`);
  }
  const below: Place = place === "response" ? "response" : "parameters";
  if (isObject(schema.properties)) for (const [name, p] of Object.entries(schema.properties)) collect(p, `${path}.properties[${name}]`, below, out);
  collect(schema.items, `${path}.items`, below, out);
  if (Array.isArray(schema.anyOf)) schema.anyOf.forEach((s, i) => collect(s, `${path}.any_of[${i}]`, below, out));
}

/** The message of Gemini's 400 for the request's schemas that break these rules, or null when none does. */
export function schemaTypeRefusal(body: Record<string, unknown>): string | null {
  const out: string[] = [];
  const tools = Array.isArray(body.tools) ? body.tools : [];
  tools.forEach((tool, i) => {
    const declarations = isObject(tool) && Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : [];
    declarations.forEach((d, j) => isObject(d) && collect(d.parameters, `tools[${i}].function_declarations[${j}].parameters`, "parameters-root", out));
  });
  if (isObject(body.generationConfig)) collect(body.generationConfig.responseSchema, "generation_config.response_schema", "response", out);
  return out.length > 0 ? out.join("\n") : null;
}
