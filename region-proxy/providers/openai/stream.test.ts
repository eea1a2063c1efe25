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

test("with include_usage the usage chunk is forwarded, last, at [DONE]", () => {
  const { chunks, end } = run(true);
  expect(chunks.length).toBe(3);
  const last = end().chunks;
  expect(last).toHaveLength(1);
  expect(last[0]!.choices).toEqual([]);
  expect(last[0]!.usage!.prompt_tokens).toBe(9);
});

test("a stream without [DONE] is a protocol error; so is a non-JSON line and an error event", () => {
  expect(() => run(false, recorded.replace("data: [DONE]\n\n", "")).end()).toThrow(VendorProtocolError);
  expect(() => run(false, "data: {oops\n\n")).toThrow(VendorProtocolError);
  expect(() => run(false, `data: ${JSON.stringify({ error: { message: "overloaded" } })}\n\n`)).toThrow("overloaded");
});

test("a stream without any choice sends nothing and is refused at its end, its usage kept for the charge", () => {
  const usageOnly = chunk([], { prompt_tokens: 9, completion_tokens: 0, total_tokens: 9 }) + "data: [DONE]\n\n";
  for (const includeUsage of [false, true]) {
    const translator = createOpenAIStreamTranslator({ completionId: "chatcmpl-gw", created: 1, model: "gpt-4o-mini", includeUsage });
    const parser = new SseParser();
    const chunks = [...parser.push(new TextEncoder().encode(usageOnly)), ...parser.end()].flatMap((e) => translator.onEvent(e));
    expect(chunks).toEqual([]);
    expect(() => translator.finish()).toThrow("vendor stream ended without any choice");
    expect(translator.partialUsage!()).toMatchObject({ inputTokens: 9, outputTokens: 0 });
  }
  expect(() => run(true, "data: [DONE]\n\n").end()).toThrow("vendor stream ended without any choice");
});

test("a choice-less chunk before the first choice is sent with it, in order; a usage chunk there goes last", () => {
  const early = chunk([], null);
  const { chunks, end } = run(true, early + recorded.replace(/data: \{[^\n]*"choices":\[\][^\n]*\n\n/, ""));
  expect(chunks.map((c) => c.choices.length)).toEqual([0, 1, 1, 1]);
  expect(chunks[0]!.id).toBe("chatcmpl-gw");
  const earlyUsage = chunk([], { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 });
  const withUsage = run(true, earlyUsage + recorded.replace(/data: \{[^\n]*"choices":\[\][^\n]*\n\n/, ""));
  expect(withUsage.chunks.map((c) => c.choices.length)).toEqual([1, 1, 1]);
  const finished = withUsage.end();
  expect(finished.chunks.map((c) => [c.id, c.choices.length, c.usage?.prompt_tokens])).toEqual([["chatcmpl-gw", 0, 9]]);
  expect(finished.usage).toMatchObject({ inputTokens: 9, outputTokens: 1 });
});

test("[DONE] ends the stream: a chunk after it is not translated, and ended() tells the reader to stop", () => {
  const translator = createOpenAIStreamTranslator({ completionId: "chatcmpl-gw", created: 1, model: "gpt-4o-mini", includeUsage: false });
  const parser = new SseParser();
  const events = parser.push(new TextEncoder().encode(recorded + chunk([{ index: 0, delta: { content: "INJECTED" }, finish_reason: null }], null)));
  const seen: boolean[] = [];
  const chunks = events.flatMap((e) => {
    const out = translator.onEvent(e);
    seen.push(translator.ended!());
    return out;
  });
  expect(seen).toEqual([false, false, false, false, true, true]);
  expect(chunks.map((c) => c.choices[0]!.delta.content)).toEqual(["", "Hi", undefined]);
  expect(translator.finish().usage?.inputTokens).toBe(9);
});

test("a chunk the client's SDK cannot take is a protocol error, never forwarded", () => {
  const translateOne = (choice: unknown) => () => run(false, chunk([choice], null));
  const good = { index: 0, delta: { content: "x" }, finish_reason: null };
  const call = (fn: unknown, extra: Record<string, unknown> = {}) => ({ index: 0, delta: { tool_calls: [{ index: 0, id: "call_1", type: "function", function: fn, ...extra }] }, finish_reason: null });
  for (const choice of [
    null,
    "choice",
    { ...good, delta: { content: 5 } },
    { ...good, delta: { content: { length: 1e300 } } },
    { ...good, delta: { refusal: 7 } },
    { ...good, delta: "hi" },
    { ...good, index: 0.5 },
    { ...good, index: -1 },
    { ...good, index: "0" },
    { ...good, finish_reason: 1 },
    { ...good, delta: { tool_calls: {} } },
    { ...good, delta: { tool_calls: [null] } },
    call({ name: "f", arguments: { city: "Paris" } }),
    call({ name: 5, arguments: "" }),
    call({ name: "f", arguments: "" }, { id: 5 }),
    call({ name: "f", arguments: "" }, { index: -1 }),
    call({ name: "f", arguments: "" }, { index: 1.5 }),
    call("f"),
  ]) {
    expect(translateOne(choice)).toThrow(VendorProtocolError);
  }
  // What OpenAI sends: null content, absent fields, a later tool call delta with arguments only.
  for (const choice of [
    good,
    { index: 0, delta: { role: "assistant", content: null, refusal: null }, finish_reason: null, logprobs: null },
    { index: 0, delta: {}, finish_reason: "stop" },
    { index: 1, delta: { tool_calls: [{ index: 2, function: { arguments: '{"a":' } }] }, finish_reason: null },
    call({ name: "f", arguments: "" }),
  ]) {
    expect(translateOne(choice)().chunks.length).toBe(1);
  }
});
