/**
 * Claude 4.6 models (claude-opus-4-6, claude-sonnet-4-6, and later) refuse a conversation that ends on
 * an assistant turn: 400 invalid_request_error "This model does not support assistant message prefill.
 * The conversation must end with a user message." (Anthropic's migration guide: "Prefilling assistant
 * messages returns a 400 error on Claude 4.6 models"). The adapter sent a final assistant message as a
 * prefill, so on such a deployment the vendor's 400 (param null) was the answer and the walk failed fast
 * instead of skipping to a deployment that can take it. It is now refused before the call, naming the
 * message, as the Gemini adapter does for its own model-series limits. (Review repro
 * anthropic-prefill-46.test.ts, extended.)
 */
import { expect, test } from "bun:test";
import { anthropicRefusal } from "../../testing/anthropic-refusal.ts";
import type { ChatRequest } from "../types.ts";
import { toAnthropicBody } from "./request.ts";

const req = (f: Partial<ChatRequest>): ChatRequest => ({ model: "a", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw: {}, ...f });
const refusal = (messages: ChatRequest["messages"], model: string) => anthropicRefusal(req({ messages }), model);
const prefilled: ChatRequest["messages"] = [
  { role: "user", content: "List three colours as JSON." },
  { role: "assistant", content: "{" },
];

test("a final assistant message to a Claude 4.6 model is refused before the call, naming it", () => {
  for (const model of ["claude-opus-4-6", "claude-sonnet-4-6", "claude-opus-4-7", "claude-sonnet-5", "claude-sonnet-latest"]) {
    expect([model, refusal(prefilled, model)?.param]).toEqual([model, "messages[1]"]);
  }
});

test("the message named is the assistant message the conversation ends on, a later system message aside", () => {
  expect(refusal([...prefilled, { role: "system", content: "Be brief." }], "claude-opus-4-6")?.param).toBe("messages[1]");
});

test("a conversation ending on a user turn, a tool result, or an assistant message of only whitespace (not sent) is not refused", () => {
  const call = { id: "toolu_1", type: "function" as const, function: { name: "w", arguments: "{}" } };
  const cases: ChatRequest["messages"][] = [
    [...prefilled, { role: "user", content: "Go on." }],
    [{ role: "user", content: "weather?" }, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: "toolu_1", content: "sunny" }],
    [{ role: "user", content: "hi" }, { role: "assistant", content: " \n" }],
  ];
  for (const messages of cases) expect(refusal(messages, "claude-opus-4-6")).toBeNull();
});

test("older models still get the prefill", () => {
  for (const model of ["claude-sonnet-4-5", "claude-opus-4-1-20250805", "claude-haiku-4-5", "claude-3-5-sonnet-latest"]) {
    const body = toAnthropicBody(req({ messages: prefilled }), model);
    expect([model, (body.messages as { role: string }[]).at(-1)?.role]).toEqual([model, "assistant"]);
  }
});
