/**
 * A Chat Completions request as the OpenAI and Azure fakes read it (Azure serves OpenAI's wire
 * format): every field they read is checked first, and a wrong one is a Refusal in OpenAI's words
 * (`Invalid type for 'messages[0]': expected an object, but got null instead.`), never a TypeError.
 * A tool call with a field OpenAI does not know is its 400 `unknown_parameter` naming it.
 * An optional field given as null is "not given", as OpenAI takes it: `tool_choice: null` is the
 * default, auto with tools and none without
 * (https://platform.openai.com/docs/api-reference/chat/create#chat-create-tool_choice).
 *
 * @example readChatRequest({ model: "m", messages: [{ role: "user", content: "hi" }] }).text // "Echo: hi"
 */
import { Refusal, typeName } from "./openai-compatible.ts";

export type ChatMessage = { role: string; content: unknown };

export interface ChatRequest {
  messages: ChatMessage[];
  /** As sent (checked), for the prompt's token count. */
  tools: unknown[];
  stream: boolean;
  includeUsage: boolean;
  /** The last user text (or "tool result received" after a tool result), which the answer echoes. */
  userText: string;
  /** The function to call: forced by tool_choice, or the first function when the user text says "call tool". */
  callName: string | undefined;
  /** The answer's text: "" when a function is called, JSON `{"echo": …}` under response_format json_object/json_schema. */
  text: string;
}

const ROLES = ["system", "assistant", "user", "function", "tool", "developer"];
const TOOL_CHOICES = ["none", "auto", "required"];
const FORMATS = ["text", "json_object", "json_schema"];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const quoted = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? `and '${v}'` : `'${v}'`)).join(", ");
const missing = (param: string) => new Refusal(`Missing required parameter: '${param}'.`, param, "missing_required_parameter");
const wrongType = (param: string, expected: string, value: unknown) => new Refusal(`Invalid type for '${param}': expected ${expected}, but got ${typeName(value)} instead.`, param, "invalid_type");
/** A field that is not what it should be: missing when null or absent (null is "not given"), else of the wrong type. */
const wrongField = (param: string, expected: string, value: unknown) => (value == null ? missing(param) : wrongType(param, expected, value));
const unsupported = (param: string, value: string, supported: string[]) => new Refusal(`Invalid value: '${value}'. Supported values are: ${quoted(supported)}.`, param, "invalid_value");

/** OpenAI's answer to a tool_choice with no tools (sent without one by clients that force a call). */
const TOOL_CHOICE_WITHOUT_TOOLS = new Refusal("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", "tool_choice", null);

/** A string field that must be one of `allowed`; undefined when not given. */
function oneOf(param: string, value: unknown, allowed: string[]): string | undefined | Refusal {
  if (value == null) return undefined;
  if (typeof value !== "string") return wrongField(param, "a string", value);
  return allowed.includes(value) ? value : unsupported(param, value, allowed);
}

/** The fields of a tool call OpenAI takes (https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages). */
const TOOL_CALL_FIELDS = ["id", "type", "function", "custom"];

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

/** `messages` is a non-empty array (each fake refuses anything else in its own words). */
function checkMessages(messages: unknown[]): Refusal | null {
  for (const [i, m] of messages.entries()) {
    const at = `messages[${i}]`;
    if (!isObject(m)) return wrongType(at, "an object", m);
    const role = m.role == null ? missing(`${at}.role`) : oneOf(`${at}.role`, m.role, ROLES);
    if (role instanceof Refusal) return role;
    const unknown = unknownToolCallField(m.tool_calls, at);
    if (unknown) return unknown;
    if (typeof m.content === "string" || (m.content == null && role === "assistant")) continue;
    if (!Array.isArray(m.content)) return wrongField(`${at}.content`, "one of a string or array of objects", m.content);
    for (const [j, part] of m.content.entries()) {
      const p = `${at}.content[${j}]`;
      if (!isObject(part)) return wrongType(p, "an object", part);
      if (typeof part.type !== "string") return wrongField(`${p}.type`, "a string", part.type);
      if (part.type === "text" && typeof part.text !== "string") return wrongField(`${p}.text`, "a string", part.text);
    }
  }
  return null;
}

/** The names of the function tools; other kinds (custom) are accepted but never called. */
function readTools(value: unknown): string[] | Refusal {
  if (value == null) return [];
  if (!Array.isArray(value)) return wrongType("tools", "an array", value);
  for (const [i, tool] of value.entries()) {
    if (!isObject(tool)) return wrongType(`tools[${i}]`, "an object", tool);
    const kind = tool.type === "custom" ? "custom" : "function";
    const spec = tool[kind];
    if (!isObject(spec)) return wrongField(`tools[${i}].${kind}`, "an object", spec);
    if (typeof spec.name !== "string") return wrongField(`tools[${i}].${kind}.name`, "a string", spec.name);
  }
  return value.flatMap((tool) => (tool.type === "custom" ? [] : [tool.function.name as string]));
}

/** "none", "auto", "required", or the function a `{type: "function"}` choice names; other types leave it to the model. */
function readToolChoice(value: unknown): string | { name: string } | Refusal {
  if (value == null) return "auto";
  if (typeof value === "string") return oneOf("tool_choice", value, TOOL_CHOICES) as string | Refusal;
  if (!isObject(value)) return wrongType("tool_choice", "one of a string or object", value);
  if (typeof value.type !== "string") return wrongField("tool_choice.type", "a string", value.type);
  if (value.type !== "function") return "auto";
  if (!isObject(value.function)) return wrongField("tool_choice.function", "an object", value.function);
  const name = value.function.name;
  return typeof name === "string" ? { name } : wrongField("tool_choice.function.name", "a string", name);
}

/** The response_format type; undefined when not given. */
function readFormat(value: unknown): string | undefined | Refusal {
  if (value == null) return undefined;
  if (!isObject(value)) return wrongType("response_format", "an object", value);
  return value.type == null ? missing("response_format.type") : oneOf("response_format.type", value.type, FORMATS);
}

function lastUserText(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === "tool") return "tool result received";
    if (m.role !== "user") continue;
    if (typeof m.content === "string") return m.content;
    if (Array.isArray(m.content)) return m.content.filter((p: { type: string }) => p.type === "text").map((p: { text: string }) => p.text).join(" ");
  }
  return "";
}

export function readChatRequest(body: Record<string, unknown>): ChatRequest | Refusal {
  const messages = body.messages as unknown[];
  const bad = checkMessages(messages);
  if (bad) return bad;
  const functions = readTools(body.tools);
  if (functions instanceof Refusal) return functions;
  const choice = readToolChoice(body.tool_choice);
  if (choice instanceof Refusal) return choice;
  if (body.tool_choice != null && body.tool_choice !== "none" && body.tools == null) return TOOL_CHOICE_WITHOUT_TOOLS;
  const format = readFormat(body.response_format);
  if (format instanceof Refusal) return format;
  if (body.stream != null && typeof body.stream !== "boolean") return wrongType("stream", "a boolean", body.stream);
  const options = body.stream_options;
  if (options != null && !isObject(options)) return wrongType("stream_options", "an object", options);
  if (options?.include_usage != null && typeof options.include_usage !== "boolean") return wrongType("stream_options.include_usage", "a boolean", options.include_usage);

  const userText = lastUserText(messages as ChatMessage[]);
  const forced = typeof choice === "object" ? choice.name : choice === "required" ? functions[0] : undefined;
  const callName = functions.length > 0 && choice !== "none" ? (forced ?? (userText.includes("call tool") ? functions[0] : undefined)) : undefined;
  const text = callName ? "" : format === "json_object" || format === "json_schema" ? JSON.stringify({ echo: userText }) : `Echo: ${userText}`;
  return { messages: messages as ChatMessage[], tools: (body.tools as unknown[] | null | undefined) ?? [], stream: body.stream === true, includeUsage: options?.include_usage === true, userText, callName, text };
}
