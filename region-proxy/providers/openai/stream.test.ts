import { expect, test } from "bun:test";
import { SseParser } from "../sse-reader.ts";
import { VendorProtocolError } from "../types.ts";
import { createOpenAIStreamTranslator } from "./stream.ts";

// The shape OpenAI documents for a stream with stream_options.include_usage
// (https://platform.openai.com/docs/api-reference/chat/streaming): `usage: null` on every chunk, then a
// chunk with `choices: []` and the usage, then [DONE].
const chunk = (choices: unknown[], usage: unknown) => `data: ${JSON.stringify({ id: "chatcmpl-v", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini", choices, usage })}\n\n`;
const recorded =
  chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }], null) +
  chunk([{ index: 0, delta: { content: "Hi" }, finish_reason: null }], null) +
  chunk([{ index: 0, delta: {}, finish_reason: "stop" }], null) +
  chunk([], { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 0 } }) +
  "data: [DONE]\n\n";

function run(includeUsage: boolean, text = recorded) {
  const translator = createOpenAIStreamTranslator({ completionId: "chatcmpl-gw", created: 1, model: "gpt-4o-mini", includeUsage });
  const parser = new SseParser();
  const chunks = [...parser.push(new TextEncoder().encode(text)), ...parser.end()].flatMap((e) => translator.onEvent(e));
  return { chunks, end: () => translator.finish() };
}

test("without include_usage the usage chunk and the usage: null fields are stripped, usage still counted", () => {
  const { chunks, end } = run(false);
  expect(chunks.length).toBe(3);
  expect(chunks.every((c) => !("usage" in c) && c.id === "chatcmpl-gw")).toBe(true);
  expect(end().usage).toEqual({ inputTokens: 9, outputTokens: 1, cachedInputTokens: 4, cacheWriteTokens: 0, reasoningTokens: 0 });
});

test("with include_usage the usage chunk is forwarded", () => {
  const { chunks } = run(true);
  expect(chunks.length).toBe(4);
  expect(chunks.at(-1)!.choices).toEqual([]);
  expect(chunks.at(-1)!.usage!.prompt_tokens).toBe(9);
});

test("a stream without [DONE] is a protocol error; so is a non-JSON line and an error event", () => {
  expect(() => run(false, recorded.replace("data: [DONE]\n\n", "")).end()).toThrow(VendorProtocolError);
  expect(() => run(false, "data: {oops\n\n")).toThrow(VendorProtocolError);
  expect(() => run(false, `data: ${JSON.stringify({ error: { message: "overloaded" } })}\n\n`)).toThrow("overloaded");
});
