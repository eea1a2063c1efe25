/**
 * A vendor's own 429 after every retry and fallback, as an application written against OpenAI sees it
 * through the official SDK: OpenAI's rate-limit answer, code `rate_limit_exceeded` with type `requests`
 * or `tokens` (what app code and frameworks key on), not a gateway code of its own or Anthropic's type
 * name. The type is `tokens` only when the vendor's own OpenAI-format error said so; otherwise
 * `requests`. The same before the stream's first chunk and in the error frame after it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RateLimitError } from "openai";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, type ProxyFixture } from "../testing/proxy-fixture.ts";
import { sseOpenAI, startScriptedVendor } from "../testing/scripted-vendor.ts";
import { isVendorRateLimit } from "./vendor-rate-limit.ts";

const messages = [{ role: "user" as const, content: "hi" }];
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as RateLimitError);

const tokensLimited = {
  message: "Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 29500, Requested 900. Please try again in 2s.",
  type: "tokens",
  param: null,
  code: "rate_limit_exceeded",
};
const chunk = (content: string) => ({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { role: "assistant", content }, finish_reason: null }] });

describe("a vendor that limits requests (the echo vendor's 429 type requests)", () => {
  let fx: ProxyFixture;
  let proxy: RunningProxy;
  beforeAll(async () => {
    fx = await createProxyFixture();
    await fx.publish(fx.snapshot(1, (s) => { s.aliases.only429 = { name: "only429", chain: ["dep_error429"] }; }));
    proxy = await fx.startProxy();
  });
  afterAll(() => fx?.cleanup());

  test("429 rate_limit_exceeded, type requests, with the vendor's wait", async () => {
    const error = await failure(fx.client(proxy).chat.completions.create({ model: "only429", messages }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error!.error).toEqual({ message: expect.stringContaining("model provider is rate limiting"), type: "requests", param: null, code: "rate_limit_exceeded" });
    expect(error!.headers.get("retry-after")).toBe("1");
  });
});

describe("a vendor whose OpenAI-format 429 says type tokens", () => {
  let v: Awaited<ReturnType<typeof startScriptedVendor>>;
  beforeAll(async () => {
    v = await startScriptedVendor({
      "tpm-limited": { provider: "openai", status: 429, json: { error: tokensLimited } },
      "tpm-mid-stream": { provider: "openai", sse: `data: ${JSON.stringify(chunk("Hel"))}\n\ndata: ${JSON.stringify({ error: tokensLimited })}\n\n` },
      "tpm-first-event": { provider: "openai", sse: `data: ${JSON.stringify({ error: tokensLimited })}\n\n` },
    });
  });
  afterAll(() => v?.stop());

  test("unstreamed: 429 rate_limit_exceeded, type tokens", async () => {
    const error = await failure(v.client.chat.completions.create({ model: "tpm-limited", messages }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error!.error).toMatchObject({ type: "tokens", code: "rate_limit_exceeded" });
    expect(v.calls.get("tpm-limited")).toBeGreaterThan(1); // retried before the caller was told
  });

  test("an error event before the first chunk: the same 429", async () => {
    const error = await failure(v.client.chat.completions.create({ model: "tpm-first-event", messages, stream: true }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error!.error).toMatchObject({ type: "tokens", code: "rate_limit_exceeded" });
  });

  test("an error event after the first chunk: the error frame says rate_limit_exceeded, type tokens", async () => {
    const { chunks, error } = await v.stream("tpm-mid-stream");
    expect(chunks.length).toBeGreaterThan(0);
    expect((error as { error?: unknown }).error).toMatchObject({ type: "tokens", code: "rate_limit_exceeded" });
  });
});

test("isVendorRateLimit: a retryable status_429, as the adapter's verdict or the walk's failure", () => {
  expect(isVendorRateLimit({ retryable: true, reason: "status_429" })).toBe(true);
  expect(isVendorRateLimit({ retryable: false, reason: "status_429" })).toBe(false);
  expect(isVendorRateLimit({ retryable: true, reason: "status_529" })).toBe(false);
  expect(isVendorRateLimit({ kind: "transient", reason: "status_429" })).toBe(true);
  expect(isVendorRateLimit({ kind: "permanent", reason: "status_429" })).toBe(false);
  expect(isVendorRateLimit({ kind: "transient", reason: "status_503" })).toBe(false);
});
