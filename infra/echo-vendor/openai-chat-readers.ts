/**
 * Readers of the Chat Completions fields that the echo vendor (echo-answer.ts, `npm start`'s provider)
 * and the test fakes (test/fakes/openai-chat-request.ts: openai.ts, azure.ts) share, so both refuse a
 * wrong one in OpenAI's words (https://platform.openai.com/docs/api-reference/chat/create): `messages`
 * a non-empty array of objects with a known role, string content or an array of typed parts (null only
 * for an assistant or a function message; image_url parts only for a user), tool calls of known fields
 * and a function_call of string name and arguments, `tools` a non-empty array of function (or custom)
 * tools with a name, `tool_choice` "none" / "auto" / "required" or a function named in tools, and
 * anything but "none" only with tools (as `parallel_tool_calls`),
 * `response_format` an object with a known type, `max_tokens` / `max_completion_tokens` integers of at
 * least 1, `stream` and `stream_options.include_usage` booleans, stream_options only with `stream: true`.
 * An optional field given as null is "not given", as OpenAI takes it.
 *
 * @example readToolUse({ tools: [], tool_choice: "none" }) // Refusal: Invalid 'tools': empty array. …
 */
import { integerRefusal, Refusal, typeName } from "./openai-request-readers.ts";

const TOOL_CHOICES = ["none", "auto", "required"];
const FORMATS = ["text", "json_object", "json_schema"];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const quoted = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? `and '${v}'` : `'${v}'`)).join(", ");

const missing = (param: string) => new Refusal(`Missing required parameter: '${param}'.`, param, "missing_required_parameter");
export const wrongType = (param: string, expected: string, value: unknown) => new Refusal(`Invalid type for '${param}': expected ${expected}, but got ${typeName(value)} instead.`, param, "invalid_type");
/** A field that is not what it should be: missing when null or absent (null is "not given"), else of the wrong type. */
const wrongField = (param: string, expected: string, value: unknown) => (value == null ? missing(param) : wrongType(param, expected, value));
const unsupported = (param: string, value: string, supported: string[]) => new Refusal(`Invalid value: '${value}'. Supported values are: ${quoted(supported)}.`, param, "invalid_value");
const emptyArray = (param: string) => new Refusal(`Invalid '${param}': empty array. Expected an array with minimum length 1, but got an empty array instead.`, param, "empty_array");

/** OpenAI's answer to a tool_choice (but "none") with no tools (sent without one by clients that force a call). */
const TOOL_CHOICE_WITHOUT_TOOLS = new Refusal("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", "tool_choice", null);
/** OpenAI's answer to parallel_tool_calls (true or false) with no tools (https://github.com/openai/swarm/issues/30). */
const PARALLEL_TOOL_CALLS_WITHOUT_TOOLS = new Refusal("Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are specified.", "parallel_tool_calls", null);

/** A string field that must be one of `allowed`; undefined when not given. */
function oneOf(param: string, value: unknown, allowed: string[]): string | undefined | Refusal {
  if (value == null) return undefined;
  if (typeof value !== "string") return wrongField(param, "a string", value);
  return allowed.includes(value) ? value : unsupported(param, value, allowed);
}

const ROLES = ["system", "assistant", "user", "function", "tool", "developer"];
/** The fields of a tool call OpenAI takes (https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages). */
const TOOL_CALL_FIELDS = ["id", "type", "function", "custom"];

/** A message as read: a known role, and content a string, typed parts or (an assistant's) null. */
export type ChatMessage = { role: string; content: unknown } & Record<string, unknown>;

/**
 * OpenAI's 400 for the first field of a message's tool call it does not know, as it answers one
 * ("Unknown parameter: 'messages[1].tool_calls[0].index'.", https://github.com/songquanpeng/one-api/issues/1319):
 * Gemini's `extra_content`, say, in a history written by another vendor.
 */
function unknownToolCallField(calls: unknown, at: string): Refusal | null {
  if (!Array.isArray(calls)) return null;
  for (const [j, call] of calls.entries()) {
    if (!isObject(call)) continue;
    const field = Object.keys(call).find((key) => !TOOL_CALL_FIELDS.includes(key));
    if (field !== undefined) {
      const param = `${at}.tool_calls[${j}].${field}`;
      return new Refusal(`Unknown parameter: '${param}'.`, param, "unknown_parameter");
    }
  }
  return null;
}

/**
 * OpenAI's 400 for an image_url part in a message of any role but user's ("Invalid 'messages[2]'. Image
 * URLs are only allowed for messages with role 'user', but this message with role 'assistant' contains
 * an image URL.", openai/openai-node#1030; role 'tool' alike, OpenHands/OpenHands#7700). The param is
 * the message's path, as the words name it.
 */
const imageOutsideUser = (at: string, role: string) =>
  new Refusal(`Invalid '${at}'. Image URLs are only allowed for messages with role 'user', but this message with role '${role}' contains an image URL.`, at, "invalid_value");

/**
 * A deprecated `function_call`, as OpenAI's schema types it (an object of required string `name` and
 * `arguments`): "Missing required parameter: 'messages[1].function_call.name'." for one without its
 * name (langchain-ai/langgraphjs#405). Null when it takes it, or none was given.
 */
function functionCallRefusal(call: unknown, at: string): Refusal | null {
  if (call == null) return null;
  if (!isObject(call)) return wrongType(`${at}.function_call`, "an object", call);
  for (const field of ["name", "arguments"]) {
    if (typeof call[field] !== "string") return wrongField(`${at}.function_call.${field}`, "a string", call[field]);
  }
  return null;
}

/** One message's role, tool calls, function call and content, as OpenAI checks them; null when it takes it. */
function messageRefusal(m: unknown, at: string): Refusal | null {
  if (!isObject(m)) return wrongType(at, "an object", m);
  const role = m.role == null ? missing(`${at}.role`) : oneOf(`${at}.role`, m.role, ROLES);
  if (role instanceof Refusal) return role;
  const call = unknownToolCallField(m.tool_calls, at) ?? functionCallRefusal(m.function_call, at);
  if (call) return call;
  // An assistant's content may be null or absent; a (deprecated) function message's may be null, not absent.
  if (typeof m.content === "string" || (m.content == null && role === "assistant") || (m.content === null && role === "function")) return null;
  if (!Array.isArray(m.content)) return wrongField(`${at}.content`, "one of a string or array of objects", m.content);
  for (const [j, part] of m.content.entries()) {
    const p = `${at}.content[${j}]`;
    if (!isObject(part)) return wrongType(p, "an object", part);
    if (typeof part.type !== "string") return wrongField(`${p}.type`, "a string", part.type);
    if (part.type === "text" && typeof part.text !== "string") return wrongField(`${p}.text`, "a string", part.text);
    if (part.type === "image_url" && role !== "user") return imageOutsideUser(at, role as string);
  }
  return null;
}

/** `messages`: a non-empty array (OpenAI's `empty_array` 400 for []) of messages OpenAI takes (messageRefusal). */
export function readMessages(value: unknown): ChatMessage[] | Refusal {
  if (!Array.isArray(value)) return wrongField("messages", "an array", value);
  if (value.length === 0) return emptyArray("messages");
  for (const [i, m] of value.entries()) {
    const refused = messageRefusal(m, `messages[${i}]`);
    if (refused) return refused;
  }
  return value as ChatMessage[];
}

/** A function tool, its parameters (undefined when none) and its place in `tools`. */
export type FunctionTool = { name: string; parameters: unknown; at: number };

/** The function tools; other kinds (custom) are accepted but never called. */
function readTools(value: unknown): FunctionTool[] | Refusal {
  if (value == null) return [];
  if (!Array.isArray(value)) return wrongType("tools", "an array", value);
  if (value.length === 0) return emptyArray("tools");
  const functions: FunctionTool[] = [];
  for (const [i, tool] of value.entries()) {
    if (!isObject(tool)) return wrongType(`tools[${i}]`, "an object", tool);
    const kind = tool.type === "custom" ? "custom" : "function";
    const spec = tool[kind];
    if (!isObject(spec)) return wrongField(`tools[${i}].${kind}`, "an object", spec);
    if (typeof spec.name !== "string") return wrongField(`tools[${i}].${kind}.name`, "a string", spec.name);
    if (kind === "function") functions.push({ name: spec.name, parameters: spec.parameters, at: i });
  }
  return functions;
}

export type ToolChoice = "none" | "auto" | "required" | { name: string };

/** "none", "auto", "required", or the function a `{type: "function"}` choice names; other types leave it to the model. */
function readToolChoice(value: unknown): ToolChoice | Refusal {
  if (value == null) return "auto";
  if (typeof value === "string") return oneOf("tool_choice", value, TOOL_CHOICES) as ToolChoice | Refusal;
  if (!isObject(value)) return wrongType("tool_choice", "one of a string or object", value);
  if (typeof value.type !== "string") return wrongField("tool_choice.type", "a string", value.type);
  if (value.type !== "function") return "auto";
  if (!isObject(value.function)) return wrongField("tool_choice.function", "an object", value.function);
  const name = value.function.name;
  return typeof name === "string" ? { name } : wrongField("tool_choice.function.name", "a string", name);
}

/**
 * `tools`, `tool_choice` and `parallel_tool_calls` read together: a tool_choice but "none", and
 * parallel_tool_calls, need tools; a named function must be one of them (a call to a function the
 * caller never declared is not an answer OpenAI gives).
 */
export function readToolUse(body: Record<string, unknown>): { tools: FunctionTool[]; choice: ToolChoice } | Refusal {
  const tools = readTools(body.tools);
  if (tools instanceof Refusal) return tools;
  const choice = readToolChoice(body.tool_choice);
  if (choice instanceof Refusal) return choice;
  if (body.tool_choice != null && body.tool_choice !== "none" && body.tools == null) return TOOL_CHOICE_WITHOUT_TOOLS;
  if (body.parallel_tool_calls != null && body.tools == null) return PARALLEL_TOOL_CALLS_WITHOUT_TOOLS;
  if (typeof choice === "object" && !tools.some((tool) => tool.name === choice.name)) {
    return new Refusal(`Invalid value for 'tool_choice': function '${choice.name}' not found in 'tools'.`, "tool_choice", null);
  }
  return { tools, choice };
}

/** The response_format type; undefined when not given. */
export function readFormat(value: unknown): string | undefined | Refusal {
  if (value == null) return undefined;
  if (!isObject(value)) return wrongType("response_format", "an object", value);
  return value.type == null ? missing("response_format.type") : oneOf("response_format.type", value.type, FORMATS);
}

/** The completion token cap: max_completion_tokens, else max_tokens (each an integer >= 1 when given); undefined when neither is. */
export function readMaxTokens(body: Record<string, unknown>): number | undefined | Refusal {
  for (const param of ["max_tokens", "max_completion_tokens"]) {
    const value = body[param];
    const wrong = value == null ? null : integerRefusal(param, value, 1, Infinity);
    if (wrong) return wrong;
  }
  return (body.max_completion_tokens ?? body.max_tokens ?? undefined) as number | undefined;
}

/** OpenAI's answer to stream_options without `stream: true` (https://github.com/BerriAI/litellm/issues/5803). */
const STREAM_OPTIONS_WITHOUT_STREAM = new Refusal("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options", null);

/** `stream` and `stream_options.include_usage`, each a boolean when given; stream_options only when streaming. */
export function readStreaming(body: Record<string, unknown>): { stream: boolean; includeUsage: boolean } | Refusal {
  if (body.stream != null && typeof body.stream !== "boolean") return wrongType("stream", "a boolean", body.stream);
  const options = body.stream_options;
  if (options != null && !isObject(options)) return wrongType("stream_options", "an object", options);
  if (options?.include_usage != null && typeof options.include_usage !== "boolean") return wrongType("stream_options.include_usage", "a boolean", options.include_usage);
  if (options != null && body.stream !== true) return STREAM_OPTIONS_WITHOUT_STREAM;
  return { stream: body.stream === true, includeUsage: options?.include_usage === true };
}
