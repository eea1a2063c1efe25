/**
 * OpenAI tools and tool_choice → Gemini `tools[].functionDeclarations` and
 * `toolConfig.functionCallingConfig` (https://ai.google.dev/gemini-api/docs/function-calling):
 * auto → AUTO, none → NONE, required → ANY, a named function → ANY restricted to that name. OpenAI's
 * allowed_tools (../allowed-tools.ts) naming every declared function means just its mode: AUTO or ANY.
 * One naming only some sends its names as allowedFunctionNames, with ANY for mode `required` and
 * VALIDATED ("either a function call or a natural language response", the call limited to the allowed
 * names: https://ai.google.dev/api/caching#FunctionCallingConfig) for `auto`. VALIDATED is marked
 * Preview (ai.google.dev/gemini-api/docs/function-calling, "VALIDATED (Preview)"; Vertex's v1 Mode
 * enum lists only AUTO, ANY and NONE), which models take it is not documented: one that refuses it
 * answers Gemini's 400, so it is sent only where nothing else says the same. A name
 * Gemini refuses (a digit first, say, which OpenAI takes) is refused before the call (function-name.ts),
 * and so is a name declared twice, which Gemini refuses too ("Duplicate function declaration found").
 */
import { allowedTools } from "../allowed-tools.ts";
import { toolParameters } from "../tool-parameters.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { geminiFunctionName } from "./function-name.ts";
import { isFreeFormObject, toGeminiSchema } from "./schema.ts";

export function convertTools(tools: unknown[] | undefined, toolChoice: unknown): Record<string, unknown> {
  if (!tools || tools.length === 0) return {};
  const seen = new Set<string>();
  const declarations = tools.map((tool, i) => {
    const t = tool as { type?: unknown; function?: { name?: unknown; description?: unknown; parameters?: unknown } };
    if (t?.type !== "function" || typeof t.function?.name !== "string") {
      throw new UnsupportedParameterError(`tools[${i}]`, "Only tools of type 'function' with a name are supported by this provider.");
    }
    // `{}` or a typeless schema of no properties is no parameters; MCP's typeless `{properties}` an object.
    // A free-form object (no properties: no key, `{}`, additionalProperties true, {} or false) is no
    // parameters either: Gemini refuses an OBJECT without properties as a declaration's parameters
    // ("parameters.properties: should be non-empty for OBJECT type", pipecat-ai/pipecat-flows#110),
    // and a declaration without any says the function takes none. A typed record is refused (schema.ts).
    const schema = toolParameters(t.function.parameters);
    const parameters = schema ? toGeminiSchema(schema, `tools[${i}].function.parameters`, "parameters") : undefined;
    const name = geminiFunctionName(t.function.name, `tools[${i}].function.name`);
    // Gemini refuses the whole request ("Duplicate function declaration found: <name>"); OpenAI takes it.
    if (seen.has(name)) throw new UnsupportedParameterError(`tools[${i}].function.name`, `This provider takes each function name once; '${name}' is declared twice.`);
    seen.add(name);
    return {
      name,
      ...(typeof t.function.description === "string" ? { description: t.function.description } : {}),
      ...(parameters !== undefined && !isFreeFormObject(parameters) ? { parameters } : {}),
    };
  });
  const out: Record<string, unknown> = { tools: [{ functionDeclarations: declarations }] };
  if (toolChoice === undefined || toolChoice === null) return out;
  let config: Record<string, unknown>;
  const allowed = allowedTools(toolChoice, tools);
  if (allowed && new Set(allowed.names).size === declarations.length) config = { mode: allowed.mode === "required" ? "ANY" : "AUTO" };
  else if (allowed) config = { mode: allowed.mode === "required" ? "ANY" : "VALIDATED", allowedFunctionNames: allowed.names };
  else if (toolChoice === "auto") config = { mode: "AUTO" };
  else if (toolChoice === "none") config = { mode: "NONE" };
  else if (toolChoice === "required") config = { mode: "ANY" };
  else {
    const c = toolChoice as { type?: unknown; function?: { name?: unknown } };
    if (c?.type !== "function" || typeof c.function?.name !== "string") {
      throw new UnsupportedParameterError("tool_choice", "tool_choice must be 'auto', 'none', 'required', {type:'function',function:{name}} or {type:'allowed_tools',allowed_tools:{mode,tools}}.");
    }
    config = { mode: "ANY", allowedFunctionNames: [geminiFunctionName(c.function.name, "tool_choice.function.name")] };
  }
  return { ...out, toolConfig: { functionCallingConfig: config } };
}
