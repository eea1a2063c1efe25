/**
 * A Gemini thinking model (2.5) puts thoughtsTokenCount on every event from the first, so a usage with
 * the prompt's and the thoughts' counts but no candidatesTokenCount is not the answer's final usage: a
 * stream that ends on it (the final usage event never came) is charged the thoughts plus the streamed
 * text's estimate, as a stream with no usage is charged that text (VendorStream.usageSoFar), never 0
 * output tokens for the text. The client's usage chunk shows that charge, and the same answer with the
 * same usageMetadata unstreamed is charged the same. An answer with no text at all (thinking used the
 * whole budget) is charged its thoughts, streamed or not.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseGemini, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const TEXT = "word ".repeat(200); // 1,000 characters
const thoughtsOnly = { promptTokenCount: 10, thoughtsTokenCount: 50, totalTokenCount: 60 };
const candidate = (text: string, finishReason?: string) => ({ content: { role: "model", parts: text ? [{ text }] : [] }, index: 0, ...(finishReason ? { finishReason } : {}) });

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({
    "g-thinks": {
      provider: "gemini",
      json: { candidates: [candidate(TEXT + TEXT, "STOP")], usageMetadata: thoughtsOnly },
      sse: sseGemini({ candidates: [candidate(TEXT)], usageMetadata: thoughtsOnly }, { candidates: [candidate(TEXT, "STOP")], usageMetadata: thoughtsOnly }),
    },
    "g-thinks-no-text": {
      provider: "gemini",
      json: { candidates: [candidate("", "MAX_TOKENS")], usageMetadata: thoughtsOnly },
      sse: sseGemini({ candidates: [candidate("", "MAX_TOKENS")], usageMetadata: thoughtsOnly }),
    },
  });
});
afterAll(() => v.stop());

test("a stream ending on a usage with thoughts but no candidatesTokenCount is charged the thoughts plus its streamed text, as the same answer unstreamed", async () => {
  const streamed = await v.stream("g-thinks");
  expect(streamed.content).toBe(TEXT + TEXT);
  expect(streamed.event.status).toBe("ok");
  // 2,000 characters streamed: 500 estimated on top of the 50 thoughts Gemini reported.
  expect(streamed.event.usage).toMatchObject({ inputTokens: 10, outputTokens: 550, reasoningTokens: 50 });
  expect(streamed.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 550 });

  const plain = await v.chat("g-thinks");
  expect(plain.event.usage).toEqual(streamed.event.usage);
  expect(plain.event.costMicros).toBe(streamed.event.costMicros);
  expect(plain.answer.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 550 });
});

test("an answer with no text and a usage with thoughts alone is charged its thoughts, streamed or not", async () => {
  const streamed = await v.stream("g-thinks-no-text");
  const plain = await v.chat("g-thinks-no-text");
  expect(streamed.event.usage).toMatchObject({ inputTokens: 10, outputTokens: 50, reasoningTokens: 50 });
  expect(streamed.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 50 });
  expect(plain.event.usage).toEqual(streamed.event.usage);
});
