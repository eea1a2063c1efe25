/**
 * OpenAI tools and tool_choice → Gemini `tools[].functionDeclarations` and
 * `toolConfig.functionCallingConfig` (https://ai.google.dev/gemini-api/docs/function-calling):
 * auto → AUTO, none → NONE, required → ANY, a named function → ANY restricted to that name.
 */
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { toGeminiSchema } from "./schema.ts";

export function convertTools(tools: unknown[] | undefined, toolChoice: unknown): Record<string, unknown> {
  if (!tools || tools.length === 0) return {};
  const declarations = tools.map((tool, i) => {
    const t = tool as { type?: unknown; function?: { name?: unknown; description?: unknown; parameters?: unknown } };
    if (t?.type !== "function" || typeof t.function?.name !== "string") {
      throw new UnsupportedParameterError(`tools[${i}]`, "Only tools of type 'function' with a name are supported by this provider.");
    }
    return {
      name: t.function.name,
      ...(typeof t.function.description === "string" ? { description: t.function.description } : {}),
      ...(t.function.parameters ? { parameters: toGeminiSchema(t.function.parameters, `tools[${i}].function.parameters`) } : {}),
    };
  });
  const out: Record<string, unknown> = { tools: [{ functionDeclarations: declarations }] };
  if (toolChoice === undefined || toolChoice === null) return out;
  let config: Record<string, unknown>;
  if (toolChoice === "auto") config = { mode: "AUTO" };
  else if (toolChoice === "none") config = { mode: "NONE" };
  else if (toolChoice === "required") config = { mode: "ANY" };
  else {
    const c = toolChoice as { type?: unknown; function?: { name?: unknown } };
    if (c?.type !== "function" || typeof c.function?.name !== "string") {
      throw new UnsupportedParameterError("tool_choice", "tool_choice must be 'auto', 'none', 'required' or {type:'function',function:{name}}.");
    }
    config = { mode: "ANY", allowedFunctionNames: [c.function.name] };
  }
  return { ...out, toolConfig: { functionCallingConfig: config } };
}
