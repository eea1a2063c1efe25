/**
 * OpenAI (GPT-5.6 and later) reports prompt cache writes in usage.prompt_tokens_details.cache_write_tokens,
 * part of prompt_tokens like cached_tokens, billed at 1.25x input
 * (https://developers.openai.com/api/docs/guides/prompt-caching). They land in the cacheWrite class,
 * priced by its own column, unstreamed and streamed. The usage is the one quoted from a real answer in
 * dotnet/extensions#7635 (its cache-write count moved by 2 so the cost is a whole number).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { SCRIPTED_PRICE as P, sseOpenAI, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const id = { id: "chatcmpl-1", created: 1, model: "gpt-5.6" };
const usage = { prompt_tokens: 9657, completion_tokens: 78, total_tokens: 9735, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 9652, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 37, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } };
const json = { ...id, object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "hello" }, finish_reason: "stop" }], usage };
const sse = sseOpenAI(
  { ...id, object: "chat.completion.chunk", choices: [{ index: 0, delta: { role: "assistant", content: "hello" }, finish_reason: "stop" }], usage: null },
  { ...id, object: "chat.completion.chunk", choices: [], usage },
);
let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({ "o-write": { provider: "openai", json, sse } });
});
afterAll(() => v.stop());

const cost = (5 * P.input + 9652 * P.cacheWrite + 41 * P.output + 37 * P.reasoning) / 1e6;

test("unstreamed: cache_write_tokens priced as cache writes", async () => {
  const { event } = await v.chat("o-write");
  expect(event.costMicros).toBe(cost);
  expect(event.usage.cacheWriteTokens).toBe(9652);
});

test("streamed: cache_write_tokens priced as cache writes", async () => {
  const { event } = await v.stream("o-write");
  expect(event.costMicros).toBe(cost);
  expect(event.usage.cacheWriteTokens).toBe(9652);
});
