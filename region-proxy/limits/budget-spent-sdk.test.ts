/**
 * A spent budget, as an application written against OpenAI sees it through the official SDK: OpenAI's
 * own exhausted-quota answer, 429 with type and code `insufficient_quota`, so frameworks that key on
 * the code (LangChain JS's AsyncCaller, LangGraph JS's retry policy) give up instead of retrying it
 * six times with backoff. The message still says which budget is spent.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { RateLimitError } from "openai";
import { hashSecret } from "../../shared/ids.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, type ProxyFixture } from "../testing/proxy-fixture.ts";

/**
 * @langchain/core's default failed-attempt handler (src/utils/async_caller.ts, ChatOpenAI's retries)
 * and LangGraph JS's default retry-on check, as published: a 429 is retried unless its code is
 * `insufficient_quota`.
 */
function langchainRetries(error: any): boolean {
  const STATUS_NO_RETRY = [400, 401, 402, 403, 404, 405, 406, 407, 409];
  const status = error?.response?.status ?? error?.status;
  if (status && STATUS_NO_RETRY.includes(+status)) return false;
  if (error?.error?.code === "insufficient_quota") return false;
  return true;
}

const METRICS_TOKEN = "metrics-token-0123456789";
let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1, (s) => { s.keys[hashSecret(fx.keys.main)]!.budgets = { dailyMicros: 1, monthlyMicros: null }; }));
  proxy = await fx.startProxy({ metricsToken: METRICS_TOKEN });
});
afterAll(() => fx?.cleanup());

test("a spent budget is OpenAI's 429 insufficient_quota (type and code), which LangChain JS / LangGraph do not retry", async () => {
  const error = await fx.client(proxy).chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] }).then(
    () => null,
    (e: unknown) => e as RateLimitError,
  );
  expect(error).toBeInstanceOf(RateLimitError);
  expect(error!.error).toEqual({ message: expect.stringMatching(/^Budget exceeded for key:key_main \(day:/), type: "insufficient_quota", param: null, code: "insufficient_quota" });
  expect(error!.headers.get("x-should-retry")).toBe("false");
  expect(langchainRetries(error)).toBe(false);
  expect(fx.vendor.calls()).toBe(0);
  // Counted under the code the client got.
  const scraped = await (await fetch(`${proxy.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  expect(scraped).toContain('gateway_refusals_total{code="insufficient_quota"} 1');
});
