/**
 * A Gemini stream whose finishReason event carries the prompt's count alone (usageMetadata without
 * candidatesTokenCount or thoughtsTokenCount) and that ends there, before the final usage event, never
 * reported the answer's tokens: it is charged the prompt tokens Gemini reported and the output estimated
 * from the text it streamed, as a stream without any usage is charged that text, never 0 output tokens;
 * the same answer unstreamed is charged the same.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseGemini, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const TEXT = "Hello there my good friend, here is a fairly long answer to read";
const event = (text: string, finishReason: string | null, usageMetadata?: Record<string, number>) => ({
  candidates: [{ content: { role: "model", parts: [{ text }] }, ...(finishReason ? { finishReason } : {}), index: 0 }],
  ...(usageMetadata ? { usageMetadata } : {}),
  modelVersion: "gemini-x",
});
const promptOnly = { promptTokenCount: 100, totalTokenCount: 100 };

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({
    "g-prompt-only": { provider: "gemini", json: event(TEXT, "STOP", promptOnly), sse: sseGemini(event(TEXT.slice(0, 30), null, promptOnly), event(TEXT.slice(30), "STOP", promptOnly)) },
    "g-no-usage": { provider: "gemini", sse: sseGemini(event(TEXT.slice(0, 30), null), event(TEXT.slice(30), "STOP")) },
  });
});
afterAll(() => v.stop());

test("a stream ending on a finishReason with the prompt's count alone is charged its streamed text, as one with no usage is", async () => {
  const promptOnlyEnd = await v.stream("g-prompt-only");
  const noUsage = await v.stream("g-no-usage");
  expect(promptOnlyEnd.content).toBe(TEXT);
  expect(noUsage.event.usage.outputTokens).toBe(Math.ceil(TEXT.length / 4));
  // Gemini's prompt count is kept; the output is the streamed text's estimate, not 0.
  expect(promptOnlyEnd.event).toMatchObject({ status: "ok" });
  expect(promptOnlyEnd.event.usage).toMatchObject({ inputTokens: 100, outputTokens: noUsage.event.usage.outputTokens });
  expect(promptOnlyEnd.event.costMicros).toBeGreaterThan(noUsage.event.costMicros);
  // The client is shown the usage it is charged.
  expect(promptOnlyEnd.usage).toMatchObject({ prompt_tokens: 100, completion_tokens: Math.ceil(TEXT.length / 4) });
});

test("the same answer unstreamed, with the prompt's count alone, is charged as the stream is", async () => {
  const streamed = await v.stream("g-prompt-only");
  const plain = await v.chat("g-prompt-only");
  expect(plain.event.usage).toEqual(streamed.event.usage);
  expect(plain.answer.usage).toMatchObject({ prompt_tokens: 100, completion_tokens: Math.ceil(TEXT.length / 4) });
});
