/**
 * OpenAI tools, tool_choice and response_format → Anthropic tools and tool_choice
 * (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use).
 *
 * response_format: Anthropic's documented way to get JSON that follows a schema is a tool whose
 * input_schema is the schema, forced with tool_choice
 * (https://docs.anthropic.com/en/docs/test-and-evaluate/strengthen-guardrails/increase-consistency).
 * We add that tool under the reserved name JSON_TOOL_NAME; the response and stream translators turn
 * its input back into assistant text, so the client sees plain JSON content and finish_reason `stop`.
 * That tool is forced as "some tool" beside the client's, so tool_choice `required` (which the JSON
 * tool would meet) is refused with it; a named function stays forced as named. Where forced tool use
 * is refused, the response_format goes as Anthropic's JSON outputs instead (json-output.ts), and
 * request.ts passes none here.
 *
 * OpenAI's allowed_tools (../allowed-tools.ts): Anthropic has no allowed set, so one naming every tool
 * is `auto` or `any` (its `required`), and one naming only some is refused, naming the field. Without
 * tools, one in mode `auto` asks for nothing, as `auto` does.
 *
 * strict: OpenAI's `strict: true` (on a function, or on response_format.json_schema) guarantees the
 * arguments follow the schema; Anthropic's equivalent is `strict: true` on the tool
 * (https://platform.claude.com/docs/en/agents-and-tools/tool-use/strict-tool-use). Only newer Claude
 * models have strict tool use; older ones answer 400 "Extra inputs are not permitted" to the field, and
 * the OpenAI SDKs' structured-output helpers (zodFunction, zodResponseFormat, pydantic_function_tool,
 * .parse()) always set it. So the operator opts in per deployment with the STRICT_TOOLS_FLAG flag;
 * without it `strict` is dropped and the schema (a tool's, or the forced JSON tool's) is best-effort,
 * as on any model without strict tool use. With it, a strict tool's schema goes as Anthropic's SDKs
 * send one (strict-schema.ts): the constraints strict mode refuses (minimum, minLength...) are moved
 * into the description; a schema strict mode cannot express at all (recursive, an object open to
 * unlisted properties...) sends that one tool without strict, its schema as given: the call is
 * answered, best-effort, rather than refused.
 */
import { allowedMode, allowedTools } from "../allowed-tools.ts";
import { toolParameters } from "../tool-parameters.ts";
import { anthropicInputSchema } from "./input-schema.ts";
import { strictInputSchema } from "./strict-schema.ts";
import { anthropicToolName } from "./tool-name.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";

export const JSON_TOOL_NAME = "gateway_json_response";
/** The deployment flag saying its Claude model has strict tool use, so OpenAI's strict:true is forwarded. */
export const STRICT_TOOLS_FLAG = "strict-tools";

export interface AnthropicTool {
  name: string;
  description?: string;
  /** Only ever `true`: absent is Anthropic's default (not strict). */
  strict?: true;
  input_schema: unknown;
}

type Choice = Record<string, unknown> & { type: "auto" | "any" | "tool" | "none" };

function convertTool(tool: unknown, i: number, strictToolUse: boolean): AnthropicTool {
  const t = tool as { type?: unknown; function?: { name?: unknown; description?: unknown; parameters?: unknown; strict?: unknown } };
  if (t?.type !== "function" || typeof t.function?.name !== "string") {
    throw new UnsupportedParameterError(`tools[${i}]`, "Only tools of type 'function' with a name are supported by this provider.");
  }
  if (t.function.name === JSON_TOOL_NAME) {
    throw new UnsupportedParameterError(`tools[${i}].function.name`, `The tool name '${JSON_TOOL_NAME}' is reserved.`);
  }
  const name = anthropicToolName(t.function.name, `tools[${i}].function.name`);
  // Anthropic's way of saying "no parameters" (toolParameters: it refuses a schema without type);
  // any other root it refuses is refused here, naming the tool (input-schema.ts).
  const schema = anthropicInputSchema(toolParameters(t.function.parameters) ?? { type: "object", properties: {} }, `tools[${i}].function.parameters`);
  return {
    name,
    ...(typeof t.function.description === "string" ? { description: t.function.description } : {}),
    ...schemaAndStrictness(schema, strictToolUse && t.function.strict === true),
  };
}

/** Anthropic refuses two tools of one name ("tools: Tool names must be unique."), which OpenAI takes: the second is refused, naming it. */
function refuseDuplicateNames(tools: AnthropicTool[]): void {
  const seen = new Set<string>();
  tools.forEach(({ name }, j) => {
    if (seen.has(name)) throw new UnsupportedParameterError(`tools[${j}].function.name`, `This provider needs tool names to be unique; '${name}' is the name of an earlier tool too.`);
    seen.add(name);
  });
}

/** A tool's input_schema, with `strict: true` when it is asked for and strict mode can express the schema (strict-schema.ts). */
function schemaAndStrictness(schema: Record<string, unknown>, strict: boolean): Pick<AnthropicTool, "strict" | "input_schema"> {
  const strictSchema = strict ? strictInputSchema(schema) : null;
  return strictSchema ? { strict: true, input_schema: strictSchema } : { input_schema: schema };
}

/** The client's tool_choice as Anthropic's, `tools` the converted client tools (allowed_tools is judged against them). */
function convertChoice(choice: unknown, clientTools: unknown[] | undefined, tools: AnthropicTool[]): Choice | undefined {
  if (choice === undefined || choice === null) return undefined;
  // Without tools, allowed_tools in mode auto asks for nothing, as `auto` does (its names can be none
  // of the tools): auto, which convertTools leaves out with no tools to send.
  if (tools.length === 0 && allowedMode(choice) === "auto") return { type: "auto" };
  const allowed = allowedTools(choice, clientTools);
  if (allowed) {
    const names = new Set(allowed.names);
    if (tools.some(({ name }) => !names.has(name))) {
      throw new UnsupportedParameterError("tool_choice.allowed_tools.tools", "This provider cannot limit calls to some of the tools; send only the allowed tools in 'tools' (with tool_choice 'auto' or 'required'), or allow them all.");
    }
    return { type: allowed.mode === "required" ? "any" : "auto" };
  }
  if (choice === "auto") return { type: "auto" };
  if (choice === "none") return { type: "none" };
  if (choice === "required") return { type: "any" };
  const c = choice as { type?: unknown; function?: { name?: unknown } };
  if (c?.type === "function" && typeof c.function?.name === "string") return { type: "tool", name: anthropicToolName(c.function.name, "tool_choice.function.name") };
  throw new UnsupportedParameterError("tool_choice", "tool_choice must be 'auto', 'none', 'required', {type:'function',function:{name}} or {type:'allowed_tools',allowed_tools:{mode,tools}}.");
}

/** The JSON schema a response_format asks for, null when it asks for text (or nothing). */
export function jsonSchemaOf(format: unknown): { schema: Record<string, unknown>; description: string; strict: boolean } | null {
  if (format === undefined || format === null) return null;
  const f = format as { type?: unknown; json_schema?: { schema?: unknown; name?: unknown; description?: unknown; strict?: unknown } };
  if (f.type === "text") return null;
  if (f.type === "json_object") return { schema: { type: "object" }, description: "Respond with a JSON object.", strict: false };
  if (f.type === "json_schema" && f.json_schema && typeof f.json_schema === "object") {
    const what = typeof f.json_schema.description === "string" ? f.json_schema.description : `Respond with the ${String(f.json_schema.name ?? "response")} object.`;
    // The schema becomes a tool's input_schema, so it needs the same object root as a tool's parameters.
    const schema = anthropicInputSchema(toolParameters(f.json_schema.schema) ?? { type: "object" }, "response_format.json_schema.schema");
    return { schema, description: what, strict: f.json_schema.strict === true };
  }
  throw new UnsupportedParameterError("response_format", "response_format.type must be 'text', 'json_object' or 'json_schema'.");
}

const REQUIRED_WITH_JSON =
  "This provider cannot both force a tool call (tool_choice 'required') and produce the JSON response_format: its JSON answer is itself a tool call. Name the function in tool_choice, or drop one of the two.";

/**
 * Builds `tools` and `tool_choice`. With a JSON response_format the JSON tool is added and some tool
 * is forced: the client's own tools stay callable unless it chose `none`; a named function stays
 * forced; `required` is refused (REQUIRED_WITH_JSON). `strictToolUse`: the
 * deployment's model has strict tool use (STRICT_TOOLS_FLAG); without it no tool carries `strict`.
 */
export function convertTools(
  tools: unknown[] | undefined,
  toolChoice: unknown,
  responseFormat: unknown,
  parallelToolCalls: unknown,
  strictToolUse: boolean,
): { tools?: AnthropicTool[]; tool_choice?: Choice } {
  let converted = (tools ?? []).map((tool, i) => convertTool(tool, i, strictToolUse));
  refuseDuplicateNames(converted);
  let choice = convertChoice(toolChoice, tools, converted);
  const json = jsonSchemaOf(responseFormat);
  if (json) {
    // Anthropic forces "some tool" with {type: "any"}, and the JSON tool is one: the model could meet
    // "required" (or allowed_tools in mode required, now `any`) with the JSON answer, and the client
    // would get content and no tool call. Refused before the call, so a chain skips this deployment.
    if (choice?.type === "any") throw new UnsupportedParameterError("tool_choice", REQUIRED_WITH_JSON);
    if (choice?.type === "none") converted = [];
    converted.push({ name: JSON_TOOL_NAME, description: json.description, ...schemaAndStrictness(json.schema, strictToolUse && json.strict) });
    if (converted.length === 1) choice = { type: "tool", name: JSON_TOOL_NAME };
    else if (choice?.type !== "tool") choice = { type: "any" };
  }
  // Without tools a tool_choice means nothing, and Anthropic refuses one: send neither.
  if (converted.length === 0) return {};
  // OpenAI's default choice is auto; Anthropic carries "one call at a time" on the choice itself, so
  // parallel_tool_calls:false without a tool_choice becomes an explicit auto with the flag
  // (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#parallel-tool-use).
  if (parallelToolCalls === false && choice?.type !== "none") choice = { ...(choice ?? { type: "auto" }), disable_parallel_tool_use: true };
  return { tools: converted, ...(choice ? { tool_choice: choice } : {}) };
}
