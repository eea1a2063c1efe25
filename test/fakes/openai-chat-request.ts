/**
 * A Chat Completions request as the OpenAI and Azure fakes read it (Azure serves OpenAI's wire
 * format): every field they read is checked first, and a wrong one is a Refusal in OpenAI's words
 * (`Invalid type for 'messages[0]': expected an object, but got null instead.`), never a TypeError.
 * messages (roles, content, tool call fields), tools, tool_choice, response_format, max_tokens and
 * stream are read by the readers the echo vendor uses (infra/echo-vendor/openai-chat-readers.ts).
 * An optional field given as null is "not given", as OpenAI takes it: `tool_choice: null` is the
 * default, auto with tools and none without
 * (https://platform.openai.com/docs/api-reference/chat/create#chat-create-tool_choice).
 *
 * @example readChatRequest({ model: "m", messages: [{ role: "user", content: "hi" }] }).text // "Echo: hi"
 */
import { readFormat, readMaxTokens, readMessages, readStreaming, readToolUse, type ChatMessage } from "../../infra/echo-vendor/openai-chat-readers.ts";
import { Refusal } from "./openai-compatible.ts";

export type { ChatMessage } from "../../infra/echo-vendor/openai-chat-readers.ts";

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
  const messages = readMessages(body.messages);
  if (messages instanceof Refusal) return messages;
  const toolUse = readToolUse(body);
  if (toolUse instanceof Refusal) return toolUse;
  const { tools: functions, choice } = toolUse;
  const format = readFormat(body.response_format);
  if (format instanceof Refusal) return format;
  const maxTokens = readMaxTokens(body);
  if (maxTokens instanceof Refusal) return maxTokens;
  const streaming = readStreaming(body);
  if (streaming instanceof Refusal) return streaming;

  const userText = lastUserText(messages);
  const forced = typeof choice === "object" ? choice.name : choice === "required" ? functions[0]?.name : undefined;
  const callName = functions.length > 0 && choice !== "none" ? (forced ?? (userText.includes("call tool") ? functions[0]!.name : undefined)) : undefined;
  const text = callName ? "" : format === "json_object" || format === "json_schema" ? JSON.stringify({ echo: userText }) : `Echo: ${userText}`;
  return { messages, tools: (body.tools as unknown[] | null | undefined) ?? [], ...streaming, userText, callName, text };
}
