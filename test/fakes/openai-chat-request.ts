/**
 * A Chat Completions request as the OpenAI and Azure fakes read it (Azure serves OpenAI's wire
 * format): every field they read is checked first, and a wrong one is a Refusal in OpenAI's words
 * (`Invalid type for 'messages[0]': expected an object, but got null instead.`), never a TypeError.
 * A tool call with a field OpenAI does not know is its 400 `unknown_parameter` naming it. tools,
 * tool_choice, response_format, max_tokens and stream are read by the readers the echo vendor uses
 * (infra/echo-vendor/openai-chat-readers.ts).
 * An optional field given as null is "not given", as OpenAI takes it: `tool_choice: null` is the
 * default, auto with tools and none without
 * (https://platform.openai.com/docs/api-reference/chat/create#chat-create-tool_choice).
 *
 * @example readChatRequest({ model: "m", messages: [{ role: "user", content: "hi" }] }).text // "Echo: hi"
 */
import { missing, oneOf, readFormat, readMaxTokens, readStreaming, readToolUse, wrongField, wrongType } from "../../infra/echo-vendor/openai-chat-readers.ts";
import { Refusal } from "./openai-compatible.ts";

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

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

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
  const toolUse = readToolUse(body);
  if (toolUse instanceof Refusal) return toolUse;
  const { tools: functions, choice } = toolUse;
  const format = readFormat(body.response_format);
  if (format instanceof Refusal) return format;
  const maxTokens = readMaxTokens(body);
  if (maxTokens instanceof Refusal) return maxTokens;
  const streaming = readStreaming(body);
  if (streaming instanceof Refusal) return streaming;

  const userText = lastUserText(messages as ChatMessage[]);
  const forced = typeof choice === "object" ? choice.name : choice === "required" ? functions[0]?.name : undefined;
  const callName = functions.length > 0 && choice !== "none" ? (forced ?? (userText.includes("call tool") ? functions[0]!.name : undefined)) : undefined;
  const text = callName ? "" : format === "json_object" || format === "json_schema" ? JSON.stringify({ echo: userText }) : `Echo: ${userText}`;
  return { messages: messages as ChatMessage[], tools: (body.tools as unknown[] | null | undefined) ?? [], ...streaming, userText, callName, text };
}
