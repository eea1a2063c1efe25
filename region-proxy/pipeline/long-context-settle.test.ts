/**
 * Review rb repro, adapted: Gemini 2.5 Pro bills a prompt over 200k tokens at a higher rate for the
 * whole request (https://ai.google.dev/gemini-api/docs/pricing), Anthropic Claude Sonnet 4/4.5 with
 * the 1M context likewise over 200k input tokens, cache reads and writes counted
 * (https://docs.anthropic.com/en/docs/about-claude/pricing#long-context-pricing). A price row with a
 * long-context tier settles such a request at the tier; a prompt of exactly the threshold stays at the
 * base rate. Before, the gateway held one flat price and settled 250,002 prompt tokens at the base.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Price } from "../../shared/money/cost.ts";
import { SCRIPTED_PRICE, startScriptedVendor } from "../testing/scripted-vendor.ts";

/** SCRIPTED_PRICE, and over 200,000 prompt tokens: 2 µ$ per input token, 3 per output token. */
const TIERED: Price = {
  ...SCRIPTED_PRICE,
  longContext: { thresholdTokens: 200_000, input: 2_000_000, output: 3_000_000, cachedInput: 200_000, cacheWrite: 2_500_000, reasoning: 4_000_000 },
};

const gemini = (prompt: number) => ({
  provider: "gemini" as const,
  price: TIERED,
  json: {
    candidates: [{ content: { role: "model", parts: [{ text: "ok" }] }, finishReason: "STOP", index: 0 }],
    usageMetadata: { promptTokenCount: prompt, candidatesTokenCount: 1, totalTokenCount: prompt + 1 },
    modelVersion: "gemini-2.5-pro",
  },
});
/** 50,000 plain + 100,000 read from the cache + 60,000 written to it: a 210,000-token prompt. */
const anthropic = {
  provider: "anthropic" as const,
  price: TIERED,
  json: {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5",
    content: [{ type: "text", text: "ok" }],
    stop_reason: "end_turn",
    usage: { input_tokens: 50_000, cache_read_input_tokens: 100_000, cache_creation_input_tokens: 60_000, output_tokens: 1 },
  },
};

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({ "gemini-2.5-pro": gemini(250_002), "gemini-2.5-pro-at": gemini(200_000), "claude-sonnet-4-5": anthropic });
});
afterAll(() => v.stop());

test("a gemini-2.5-pro prompt of 250,002 tokens is charged at the long-context tier", async () => {
  const { event } = await v.chat("gemini-2.5-pro");
  expect(event.status).toBe("ok");
  expect(event.costMicros).toBe(250_002 * 2 + 1 * 3);
});

test("a prompt of exactly the threshold is charged at the base rate", async () => {
  const { event } = await v.chat("gemini-2.5-pro-at");
  expect(event.status).toBe("ok");
  expect(event.costMicros).toBe(200_000 * 1 + 1 * 2);
});

test("Anthropic's cache reads and writes count toward the threshold, and each class is charged at the tier", async () => {
  const { event } = await v.chat("claude-sonnet-4-5");
  expect(event.status).toBe("ok");
  expect(event.costMicros).toBe(50_000 * 2 + 100_000 * 0.2 + 60_000 * 2.5 + 1 * 3);
});
