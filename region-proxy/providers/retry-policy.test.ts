import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../../test/fakes/openai.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

// The executor's policy against a faithful OpenAI fake: attempt budget, Retry-After, context-length
// fallback, per-deployment timeouts, a hang and an empty stream before the first byte.
let fx: ProxyFixture;
let vendor: FakeOpenAI;
let proxy: RunningProxy;

beforeAll(async () => {
  fx = await createProxyFixture();
  vendor = await startFakeOpenAI({ apiKey: "sk-openai-fake" });
  await fx.publish(
    fx.snapshot(1, (s: Snapshot) => {
      const dep = (id: string, model: string, extra: object = {}) => {
        s.deployments[id] = { id, provider: "openai", baseUrl: `${vendor.url}/v1`, model, region: REGION, credentialRef: "env:OPENAI_KEY", ...extra };
        return id;
      };
      const main = dep("dep_main", "gpt-main");
      s.aliases.budget = { name: "budget", chain: ["a", "b", "c", "d", "e", "f"].map((x) => dep(`dep_down_${x}`, `error-500`)) };
      s.aliases.longwait = { name: "longwait", chain: [dep("dep_long", "rate-limit-long"), main] };
      s.aliases.longonly = { name: "longonly", chain: ["dep_long"] };
      s.aliases.overloadedlong = { name: "overloadedlong", chain: [dep("dep_overloaded_long", "overloaded-long")] };
      s.aliases.shortwait = { name: "shortwait", chain: [dep("dep_short", "rate-limit")] };
      s.aliases.context = { name: "context", chain: [dep("dep_small", "context-length"), dep("dep_large", "gpt-large")] };
      s.aliases.contextonly = { name: "contextonly", chain: ["dep_small"] };
      s.aliases.quickhang = { name: "quickhang", chain: [dep("dep_hang", "hang", { timeouts: { firstByteMs: 150 } }), main] };
      s.aliases.empty = { name: "empty", chain: [dep("dep_empty", "stream-empty"), main] };
    }),
  );
  proxy = await fx.startProxy({ credentials: { OPENAI_KEY: "sk-openai-fake" }, firstByteTimeoutMs: 5_000, breaker: { failureThreshold: 1_000 } });
});
afterAll(async () => {
  await fx.cleanup();
  await vendor.stop();
});

const messages = [{ role: "user" as const, content: "hi" }];
const eventFor = async (id: string | null) => {
  await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
  return fx.origin.events().find((e) => e.requestId === id)!;
};

describe("retry and fallback policy", () => {
  test("one attempt budget (4) covers retries and fallbacks along a 6-deployment chain", async () => {
    const before = vendor.callsFor("error-500");
    const error = await fx.client(proxy).chat.completions.create({ model: "budget", messages }).catch((e) => e);
    expect(error.status).toBe(502);
    expect(error.headers.get("x-gateway-attempts")).toBe("4");
    expect(vendor.callsFor("error-500")).toBe(before + 4);
    const event = await eventFor(error.headers.get("x-request-id"));
    // Four deployments still planned after the first leave no attempt to spare for a retry: the budget
    // goes to four different deployments, and the last two are never called.
    expect(event.attemptTrail!.map((s) => s.deploymentId)).toEqual(["dep_down_a", "dep_down_b", "dep_down_c", "dep_down_d"]);
  });

  test("a Retry-After longer than the time left skips to the next deployment at once", async () => {
    const started = Date.now();
    const { data, response } = await fx.client(proxy).chat.completions.create({ model: "longwait", messages }).withResponse();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(data.choices[0]!.message.content).toBe("Echo: hi");
    expect(response.headers.get("x-gateway-attempts")).toBe("2");
    const event = await eventFor(response.headers.get("x-request-id"));
    expect(event.attemptTrail!.map((s) => [s.deploymentId, s.outcome, s.reason])).toEqual([
      ["dep_long", "error", "status_429"],
      ["dep_long", "skipped", "retry_after_exceeds_budget"],
      ["dep_main", "ok", null],
    ]);
  });

  test("a short retry-after-ms is waited for before the same deployment is retried", async () => {
    const before = vendor.callsFor("rate-limit");
    const started = Date.now();
    const error = await fx.client(proxy).chat.completions.create({ model: "shortwait", messages }).catch((e) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    expect(vendor.callsFor("rate-limit")).toBe(before + 2);
    // Still limited after the retry: the caller gets the vendor's 429, not a 502 to retry at once.
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.code).toBe("rate_limit_exceeded");
    expect(error.headers.get("retry-after")).toBe("1");
  });

  test("the vendor's 429 keeps its wait in milliseconds: retry-after-ms as sent, retry-after in whole seconds, so the SDK waits 50 ms, not 1 s", async () => {
    const error = await fx.client(proxy, undefined, { maxRetries: 0 }).chat.completions.create({ model: "shortwait", messages }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.headers.get("retry-after-ms")).toBe("50");
    expect(error.headers.get("retry-after")).toBe("1");

    // The SDK reads retry-after-ms first: its one retry comes 50 ms after the 429, not the 1000 ms of retry-after.
    const sent: number[] = [];
    const answered: number[] = [];
    const timed: typeof fetch = Object.assign(async (input: RequestInfo | URL, init?: RequestInit) => {
      sent.push(performance.now());
      const response = await fetch(input, init);
      answered.push(performance.now());
      return response;
    }, { preconnect: fetch.preconnect });
    const retried = await fx.client(proxy, undefined, { maxRetries: 1, fetch: timed }).chat.completions.create({ model: "shortwait", messages }).catch((e) => e);
    expect(retried).toBeInstanceOf(OpenAI.RateLimitError);
    expect(sent).toHaveLength(2);
    expect(sent[1]! - answered[0]!).toBeLessThan(500);
  });

  test("a vendor 429 whose Retry-After outlasts the request is answered as a 429 with that Retry-After", async () => {
    const started = Date.now();
    const error = await fx.client(proxy).chat.completions.create({ model: "longonly", messages }).catch((e) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.headers.get("retry-after")).toBe("3600");
    expect(error.headers.get("x-gateway-attempts")).toBe("1");
  });

  test("a vendor 503 whose Retry-After outlasts the request: the 502 carries that Retry-After, so the client is not invited to retry at once", async () => {
    const started = Date.now();
    const error = await fx.client(proxy, undefined, { maxRetries: 0 }).chat.completions.create({ model: "overloadedlong", messages }).catch((e) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(502);
    expect(error.headers.get("retry-after")).toBe("3600");
    expect(error.headers.get("x-gateway-attempts")).toBe("1");
  });

  test("a context-length refusal falls back to a deployment with a larger window", async () => {
    const { data, response } = await fx.client(proxy).chat.completions.create({ model: "context", messages }).withResponse();
    expect(data.choices[0]!.message.content).toBe("Echo: hi");
    expect(response.headers.get("x-gateway-model")).toBe("gpt-large");
    expect(response.headers.get("x-gateway-fallback")).toBe("true");
    const event = await eventFor(response.headers.get("x-request-id"));
    expect(event.attemptTrail![0]!.reason).toBe("context_length");
    const alone = await fx.client(proxy).chat.completions.create({ model: "contextonly", messages }).catch((e) => e);
    expect(alone).toBeInstanceOf(OpenAI.BadRequestError);
    expect(alone.code).toBe("context_length_exceeded");
    expect(alone.headers.get("x-gateway-attempts")).toBe("1");
  });

  test("a deployment's own first-byte timeout cuts a hang short and the next deployment answers", async () => {
    const started = Date.now();
    const { response } = await fx.client(proxy).chat.completions.create({ model: "quickhang", messages, stream: true }).withResponse();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(response.headers.get("x-gateway-model")).toBe("gpt-main");
    const event = await eventFor(response.headers.get("x-request-id"));
    expect(event.attemptTrail![0]).toMatchObject({ deploymentId: "dep_hang", reason: "timeout_first_byte" });
    expect(event.attemptTrail![0]!.latencyMs).toBeGreaterThanOrEqual(140);
  });

  test("a stream that closes before its first event falls back; the client sees one clean stream", async () => {
    const stream = await fx.client(proxy).chat.completions.create({ model: "empty", messages, stream: true }).withResponse();
    let text = "";
    for await (const chunk of stream.data) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Echo: hi");
    expect(stream.response.headers.get("x-gateway-fallback")).toBe("true");
  });
});
