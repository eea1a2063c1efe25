import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
const FIRST_BYTE_MS = 400;

beforeAll(async () => {
  fx = await createProxyFixture();
  // The cut stream is priced like echo-1, so its charge can be read off its usage event.
  await fx.publish(fx.snapshot(1, (s) => void (s.pricing["openai:drop"] = PRICE)));
  proxy = await fx.startProxy({ firstByteTimeoutMs: FIRST_BYTE_MS });
});
afterAll(() => fx.cleanup());

const messages = [{ role: "user" as const, content: "ping" }];
const eventFor = (requestId: string | null) => fx.origin.events().find((e) => e.requestId === requestId);

describe("fallback along the alias chain", () => {
  test("[error-500, echo-1] retries the first deployment once (backoff), then succeeds on the second", async () => {
    const before500 = fx.vendor.calls("error-500");
    const { data, response } = await fx.client(proxy).chat.completions.create({ model: "fallback", messages }).withResponse();
    expect(data.choices[0]!.message.content).toBe("Echo: ping");
    expect(response.headers.get("x-gateway-fallback")).toBe("true");
    expect(response.headers.get("x-gateway-attempts")).toBe("3");
    expect(response.headers.get("x-gateway-model")).toBe("echo-1");
    expect(fx.vendor.calls("error-500")).toBe(before500 + 2);
    const id = response.headers.get("x-request-id");
    await waitFor(() => eventFor(id) !== undefined, "event");
    expect(eventFor(id)).toMatchObject({ status: "ok", attempts: 3, deploymentId: "dep_echo1", fallback: true });
    expect(eventFor(id)!.attemptTrail!.map((s) => [s.deploymentId, s.outcome, s.reason])).toEqual([
      ["dep_error500", "error", "status_500"],
      ["dep_error500", "error", "status_500"],
      ["dep_echo1", "ok", null],
    ]);
  });

  test("a stream falls back too, before its first chunk", async () => {
    const stream = await fx.client(proxy).chat.completions.create({ model: "ratelimited", messages, stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Echo: ping");
  });

  test("a permanent 400 does not fall back and carries the vendor's message and param", async () => {
    const beforeEcho = fx.vendor.calls("echo-1");
    const before400 = fx.vendor.calls("error-400");
    const error = await fx.client(proxy).chat.completions.create({ model: "strict", messages }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe("messages");
    expect(error.message).toContain("echo vendor refuses");
    expect(error.headers.get("x-should-retry")).toBe("false");
    expect(error.headers.get("x-gateway-attempts")).toBe("1");
    expect(fx.vendor.calls("error-400")).toBe(before400 + 1);
    expect(fx.vendor.calls("echo-1")).toBe(beforeEcho);
    const id = error.headers.get("x-request-id");
    await waitFor(() => eventFor(id) !== undefined, "error event");
    expect(eventFor(id)).toMatchObject({ status: "error", errorCode: "invalid_value", attempts: 1 });
  });

  test("a missing vendor credential is skipped, not counted as a vendor call: attempts and the trail say what really happened", async () => {
    const before = fx.vendor.calls();
    const { data, response } = await fx.client(proxy).chat.completions.create({ model: "nocred", messages }).withResponse();
    expect(data.choices[0]!.message.content).toBe("Echo: ping");
    expect(response.headers.get("x-gateway-fallback")).toBe("true");
    expect(fx.vendor.calls() - before).toBe(1);
    expect(response.headers.get("x-gateway-attempts")).toBe("1");
    expect(fx.logs.some((l) => l.includes("sk-echo-test"))).toBe(false);
    const id = response.headers.get("x-request-id");
    await waitFor(() => eventFor(id) !== undefined, "event");
    expect(eventFor(id)).toMatchObject({ attempts: 1, fallback: true, deploymentId: "dep_echo1" });
    expect(eventFor(id)!.attemptTrail!.map((s) => [s.deploymentId, s.outcome, s.reason])).toEqual([
      ["dep_nocred_echo1", "skipped", "credential_missing"],
      ["dep_echo1", "ok", null],
    ]);
  });

  // A stream: the first-byte timeout bounds a stream's first event, not a non-streamed answer (its
  // headers come once the whole answer is ready; first-byte-timeout.test.ts).
  test("a stream that hangs → 504 upstream_timeout within the first-byte timeout, vendor call aborted", async () => {
    const started = Date.now();
    const error = await fx.client(proxy).chat.completions.create({ model: "hang", messages, stream: true }).catch((e) => e);
    const elapsed = Date.now() - started;
    expect(error.status).toBe(504);
    expect(error.code).toBe("upstream_timeout");
    expect(elapsed).toBeGreaterThanOrEqual(FIRST_BYTE_MS - 10);
    expect(elapsed).toBeLessThan(FIRST_BYTE_MS * 4);
    await waitFor(() => fx.vendor.aborts("hang") >= 1, "vendor saw the abort");
  });

  test("garbage → 502 upstream_invalid_response", async () => {
    const error = await fx.client(proxy).chat.completions.create({ model: "garbage", messages }).catch((e) => e);
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_invalid_response");
    const streamError = await (async () => {
      const stream = await fx.client(proxy).chat.completions.create({ model: "garbage", messages, stream: true });
      for await (const _ of stream);
    })().catch((e) => e);
    expect(streamError.status).toBe(502);
  });

  test("a stream cut mid-way ends with one error frame and an error usage event", async () => {
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}` },
      body: JSON.stringify({ model: "drop", messages: [{ role: "user", content: "one two three four" }], stream: true }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    const frames = text.split("\n\n").filter((f) => f.startsWith("data: "));
    const last = JSON.parse(frames.at(-1)!.slice(6));
    expect(last.error.code).toBe("upstream_invalid_response");
    expect(text.includes("data: [DONE]")).toBe(false);
    expect(frames.filter((f) => f.includes('"error"')).length).toBe(1);
    const id = res.headers.get("x-request-id");
    await waitFor(() => eventFor(id) !== undefined, "drop event");
    expect(eventFor(id)).toMatchObject({ status: "error", errorCode: "upstream_invalid_response", stream: true });
    // The two chunks that reached the client are charged (with the prompt), not dropped with the stream.
    expect(eventFor(id)!.usage.inputTokens).toBeGreaterThan(0);
    expect(eventFor(id)!.usage.outputTokens).toBeGreaterThan(0);
    expect(eventFor(id)!.costMicros).toBeGreaterThan(0);

    const sdkError = await (async () => {
      const stream = await fx.client(proxy).chat.completions.create({ model: "drop", messages, stream: true });
      for await (const _ of stream);
    })().catch((e) => e);
    expect(sdkError).toBeInstanceOf(OpenAI.APIError);
  });

  test("a one-deployment chain retries once after a retryable failure, then answers 502", async () => {
    // Its own breaker: the shared one has seen error-500 fail in earlier tests and may be open.
    const own = await fx.startProxy({ dataDir: fx.freshDataDir() }, { health: createMemoryBreaker({ failureThreshold: 100 }) });
    const before = fx.vendor.calls("error-500");
    const error = await fx.client(own).chat.completions.create({ model: "broken", messages }).catch((e) => e);
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_error");
    expect(error.headers.get("x-gateway-attempts")).toBe("2");
    expect(fx.vendor.calls("error-500")).toBe(before + 2);
  });

  test("the total deadline cuts a slow stream with an upstream_timeout frame", async () => {
    const short = await fx.startProxy({ totalTimeoutMs: 300, dataDir: fx.freshDataDir() });
    const res = await fetch(`${short.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}` },
      body: JSON.stringify({ model: "slow", messages: [{ role: "user", content: "a b c d e f g h i j k l m n o p" }], stream: true }),
    });
    const frames = (await res.text()).split("\n\n").filter((f) => f.startsWith("data: "));
    expect(JSON.parse(frames.at(-1)!.slice(6)).error.code).toBe("upstream_timeout");
    await short.stop();
  });

  test("an open circuit skips the failing deployment without calling it", async () => {
    const guarded = await fx.startProxy({ dataDir: fx.freshDataDir() }, { health: createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 }) });
    await fx.client(guarded).chat.completions.create({ model: "fallback", messages });
    const before = fx.vendor.calls("error-500");
    const { response } = await fx.client(guarded).chat.completions.create({ model: "fallback", messages }).withResponse();
    expect(fx.vendor.calls("error-500")).toBe(before);
    expect(response.headers.get("x-gateway-attempts")).toBe("1");
    expect(response.headers.get("x-gateway-fallback")).toBe("true");
    // Every deployment's circuit open: 503, to retry once the cool-down is over (not a 502 to retry at once).
    const none = await fx.client(guarded).chat.completions.create({ model: "broken", messages }).catch((e) => e);
    expect(none).toBeInstanceOf(OpenAI.InternalServerError);
    expect(none.status).toBe(503);
    expect(none.code).toBe("upstream_unavailable");
    expect(Number(none.headers.get("retry-after"))).toBeGreaterThan(55);
    expect(Number(none.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(none.headers.get("x-gateway-attempts")).toBe("0");
    await guarded.stop();
  });
});

describe("missing credentials", () => {
  test("deployments without their credential do not use up the attempt budget: the healthy one after four of them answers", async () => {
    await fx.publish(
      fx.snapshot(2, (s) => {
        s.pricing["openai:drop"] = PRICE;
        const chain: string[] = [];
        for (const n of [1, 2, 3, 4]) {
          const id = `dep_nocred_${n}`;
          s.deployments[id] = { id, provider: "openai", baseUrl: `${fx.vendor.url}/v1`, model: "echo-1", region: "eu", credentialRef: `env:NOT_SET_${n}` };
          chain.push(id);
        }
        s.aliases.manynocred = { name: "manynocred", chain: [...chain, "dep_echo1"] };
        s.aliases.allnocred = { name: "allnocred", chain: chain.slice(0, 2) };
      }),
    );
    await waitFor(() => proxy.snapshotVersion() === 2, "snapshot 2");
    const { data, response } = await fx.client(proxy).chat.completions.create({ model: "manynocred", messages }).withResponse();
    expect(data.choices[0]!.message.content).toBe("Echo: ping");
    expect(response.headers.get("x-gateway-attempts")).toBe("1");
    expect(response.headers.get("x-gateway-model")).toBe("echo-1");

    // With no deployment callable at all, the answer says the provider is misconfigured, after no call.
    const before = fx.vendor.calls();
    const none = await fx.client(proxy).chat.completions.create({ model: "allnocred", messages }).catch((error) => error);
    expect(none.status).toBe(502);
    expect(none.message).toContain("misconfigured");
    expect(none.headers.get("x-gateway-attempts")).toBe("0");
    expect(fx.vendor.calls()).toBe(before);
  });
});
