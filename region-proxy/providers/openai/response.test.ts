import { expect, test } from "bun:test";
import { VendorProtocolError } from "../types.ts";
import { parseOpenAIResponse } from "./response.ts";

const ctx = { completionId: "chatcmpl-gw", created: 1, includeUsage: false, model: "gpt-x" };
const answer = { id: "chatcmpl-v", object: "chat.completion", created: 1, model: "gpt-x-2025", choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } };

test("an answer passes through under the gateway's id, with its usage normalized", () => {
  const { completion, usage } = parseOpenAIResponse(answer, ctx);
  expect(completion).toMatchObject({ id: "chatcmpl-gw", model: "gpt-x-2025", choices: answer.choices });
  expect(usage).toMatchObject({ inputTokens: 3, outputTokens: 1 });
});

test("an answer without a choice is a protocol error (retried, then 502), not a 200 an SDK crashes on", () => {
  for (const body of [{ ...answer, choices: [] }, { ...answer, choices: undefined }, null, "ok"]) {
    expect(() => parseOpenAIResponse(body, ctx)).toThrow(VendorProtocolError);
  }
});

test("an answer without usage is charged the prompt estimate and one output token per 4 characters, never nothing", () => {
  const { usage: _omitted, ...withoutUsage } = answer;
  const toolCall = { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } };
  const body = { ...withoutUsage, choices: [{ index: 0, message: { role: "assistant", content: "Hello there, friend", tool_calls: [toolCall] }, finish_reason: "stop" }] };
  const { usage } = parseOpenAIResponse(body, { ...ctx, promptEstimate: (model) => (model === "gpt-x" ? 12 : -1) });
  // 19 characters of text + 11 of tool name + 16 of arguments = 46 → 12 tokens.
  expect(usage).toEqual({ inputTokens: 12, outputTokens: 12, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
});

test("a message without content gets content null, as OpenAI sends it; nothing else is added, a content sent is kept", () => {
  const filtered = { ...answer, choices: [{ index: 0, message: { role: "assistant" }, finish_reason: "content_filter" }] };
  expect(parseOpenAIResponse(filtered, ctx).completion.choices[0]!.message).toEqual({ role: "assistant", content: null } as never);
  const toolCall = { index: 0, message: { role: "assistant", content: "", tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] }, finish_reason: "tool_calls" };
  expect(parseOpenAIResponse({ ...answer, choices: [toolCall] }, ctx).completion.choices[0]!.message.content).toBe("");
});
