import { expect, test } from "bun:test";
import type { ResponseContext } from "./types.ts";
import { translatedChunks } from "./translated-chunks.ts";

const ctx = (includeUsage: boolean): ResponseContext => ({ completionId: "chatcmpl-1", created: 7, model: "m", includeUsage });
const usage = { inputTokens: 5, outputTokens: 2, cachedInputTokens: 1, cacheWriteTokens: 0, reasoningTokens: 0 };

test("the role chunk goes out once, before the first output, never with nothing to follow it", () => {
  const out = translatedChunks(ctx(false));
  expect(out.announce([])).toEqual([]);
  const first = out.announce([out.delta({ content: "Hi" })]);
  expect(first.map((c) => c.choices[0]!.delta)).toEqual([{ role: "assistant", content: "", refusal: null }, { content: "Hi" }]);
  expect(out.announce([out.delta({}, "stop")]).map((c) => c.choices[0]!.finish_reason)).toEqual(["stop"]);
});

test("several choices: each one's role chunk goes out once, before that choice's first chunk", () => {
  const out = translatedChunks(ctx(false));
  const first = out.announce([out.delta({ content: "a" }), out.delta({ content: "b" }, null, 1), out.delta({ content: "c" })]);
  expect(first.map((c) => [c.choices[0]!.index, c.choices[0]!.delta])).toEqual([
    [0, { role: "assistant", content: "", refusal: null }],
    [0, { content: "a" }],
    [1, { role: "assistant", content: "", refusal: null }],
    [1, { content: "b" }],
    [0, { content: "c" }],
  ]);
  expect(out.announce([out.delta({}, "stop", 1), out.delta({}, "length", 2)]).map((c) => [c.choices[0]!.index, c.choices[0]!.finish_reason])).toEqual([
    [1, "stop"],
    [2, null],
    [2, "length"],
  ]);
});

test("chunks carry the client's id, time and model, and usage: null only for a client that asked for usage", () => {
  expect(translatedChunks(ctx(false)).delta({ content: "a" })).toEqual({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 7, model: "m", choices: [{ index: 0, delta: { content: "a" }, finish_reason: null, logprobs: null }] });
  expect(translatedChunks(ctx(true)).delta({ content: "a" }).usage).toBeNull();
});

test("the closing usage chunk only for a client that asked for it, and only with usage to show", () => {
  expect(translatedChunks(ctx(false)).closingUsage(usage)).toEqual([]);
  expect(translatedChunks(ctx(true)).closingUsage(null)).toEqual([]);
  expect(translatedChunks(ctx(true)).closingUsage(usage)).toEqual([
    { id: "chatcmpl-1", object: "chat.completion.chunk", created: 7, model: "m", choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cached_tokens: 1 }, completion_tokens_details: { reasoning_tokens: 0 } } },
  ]);
});
