import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createProxyFixture, waitFor, type ProxyFixture } from "./testing/proxy-fixture.ts";
import { PROXY_ID_HEADER } from "../shared/internal-api.ts";
import { runUntilSignal } from "../test/support/run-directly.ts";

let fx: ProxyFixture;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
});
afterAll(() => fx.cleanup());

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(" ");

async function firstChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const { value } = await reader.read();
  return new TextDecoder().decode(value);
}

describe("client disconnect and graceful stop", () => {
  test("a client that leaves mid-stream aborts the vendor call and is recorded as client_closed", async () => {
    const proxy = await fx.startProxy();
    const abort = new AbortController();
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}` },
      body: JSON.stringify({ model: "slow", messages: [{ role: "user", content: words(40) }], stream: true }),
      signal: abort.signal,
    });
    const requestId = res.headers.get("x-request-id");
    expect(await firstChunk(res.body!.getReader())).toContain("chat.completion.chunk");
    abort.abort();
    await waitFor(() => fx.vendor.aborts("slow") === 1, "vendor stream cancelled", 3_000);
    await waitFor(() => fx.origin.events().some((e) => e.requestId === requestId), "event delivered");
    expect(fx.origin.events().find((e) => e.requestId === requestId)).toMatchObject({ status: "client_closed", errorCode: "client_closed", stream: true });
    await proxy.stop();
  });

  test("stop() lets an in-flight stream finish, refuses new requests meanwhile, then delivers its event", async () => {
    const proxy = await fx.startProxy({ usageFlushMs: 60_000 });
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}` },
      body: JSON.stringify({ model: "slow", messages: [{ role: "user", content: words(8) }], stream: true }),
    });
    const requestId = res.headers.get("x-request-id");
    const reader = res.body!.getReader();
    let text = await firstChunk(reader);
    const stopped = proxy.stop();
    const refused = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${fx.keys.main}` }, body: "{}" });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("shutting_down");
    expect((await fetch(`${proxy.url}/ready`)).status).toBe(503);
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(text).toContain("w7");
    await stopped;
    expect(fx.origin.events().find((e) => e.requestId === requestId)).toMatchObject({ status: "ok", stream: true });
  });

  test("a non-stream client that leaves aborts the hanging vendor call (client_closed)", async () => {
    const proxy = await fx.startProxy();
    const abort = new AbortController();
    const pending = fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}`, "x-request-id": "leaving-client" },
      body: JSON.stringify({ model: "hang", messages: [{ role: "user", content: "hi" }] }),
      signal: abort.signal,
    }).catch((e) => e);
    await waitFor(() => fx.vendor.calls("hang") === 1, "vendor called");
    abort.abort();
    await pending;
    await waitFor(() => fx.vendor.aborts("hang") === 1, "vendor call aborted", 3_000);
    await waitFor(() => fx.origin.events().some((e) => e.requestId === "leaving-client"), "event delivered");
    expect(fx.origin.events().find((e) => e.requestId === "leaving-client")!.status).toBe("client_closed");
    await proxy.stop();
  });

  test("stop() past its grace period ends a request still waiting on its vendor with a 503 shutting_down, aborts the vendor call, and settles it as the gateway's cut, not the client's", async () => {
    // The vendor's own timeouts lie far beyond the stop: only the stop can end this request.
    const proxy = await fx.startProxy({ shutdownGraceMs: 300, firstByteTimeoutMs: 30_000, totalTimeoutMs: 60_000, usageFlushMs: 60_000 });
    const callsBefore = fx.vendor.calls("hang");
    const abortsBefore = fx.vendor.aborts("hang");
    const pending = fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}`, "x-request-id": "cut-at-stop" },
      body: JSON.stringify({ model: "hang", messages: [{ role: "user", content: "hi" }] }),
    }).then(
      async (res) => ({ status: res.status, retryAfter: res.headers.get("retry-after"), connection: res.headers.get("connection"), code: ((await res.json()) as { error: { code: string } }).error.code }),
      (error: Error) => error.message,
    );
    await waitFor(() => fx.vendor.calls("hang") === callsBefore + 1, "vendor called");
    const started = performance.now();
    await proxy.stop();
    const stopMs = performance.now() - started;
    // An answer, not a reset: the client (an SDK) retries it, on another replica.
    expect(await pending).toEqual({ status: 503, retryAfter: "1", connection: "close", code: "shutting_down" });
    // Grace (300 ms) and the bounded wait for the cut handlers' answers and settles (a couple of seconds), no more.
    expect(stopMs).toBeLessThan(4_000);
    expect(fx.logs.filter((line) => line.includes("could not be written"))).toEqual([]);
    const event = fx.origin.events().find((e) => e.requestId === "cut-at-stop")!;
    expect(event).toMatchObject({ status: "error", errorCode: "shutting_down" });
    // The vendor had the prompt: charged its estimate, as any call left without an answer.
    expect(event.usage.inputTokens).toBeGreaterThan(0);
    expect(event.attemptTrail!.at(-1)).toMatchObject({ outcome: "error", reason: "shutting_down" });
    await waitFor(() => fx.vendor.aborts("hang") === abortsBefore + 1, "vendor call aborted", 3_000);
  });

  test("stop() past its grace period ends an embeddings request waiting on its vendor the same way (503 shutting_down, settled as the gateway's cut)", async () => {
    const proxy = await fx.startProxy({ shutdownGraceMs: 300, totalTimeoutMs: 60_000, usageFlushMs: 60_000 });
    const callsBefore = fx.vendor.calls("hang");
    const pending = fetch(`${proxy.url}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}`, "x-request-id": "embeddings-cut-at-stop" },
      body: JSON.stringify({ model: "hang", input: "hello there" }),
    }).then(
      async (res) => ({ status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code }),
      (error: Error) => error.message,
    );
    await waitFor(() => fx.vendor.calls("hang") === callsBefore + 1, "vendor called");
    await proxy.stop();
    expect(await pending).toEqual({ status: 503, code: "shutting_down" });
    expect(fx.origin.events().find((e) => e.requestId === "embeddings-cut-at-stop")).toMatchObject({ endpoint: "embeddings", status: "error", errorCode: "shutting_down" });
  });

  test("stop() past its grace period ends a stream still running with a final error frame, and settles it (charged for what it streamed) as the gateway's cut, not the client's", async () => {
    const proxy = await fx.startProxy({ shutdownGraceMs: 300, usageFlushMs: 60_000 });
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}`, "x-request-id": "stream-cut-at-stop" },
      body: JSON.stringify({ model: "slow", messages: [{ role: "user", content: words(200) }], stream: true }),
    });
    const reader = res.body!.getReader();
    let text = await firstChunk(reader);
    expect(text).toContain("chat.completion.chunk");
    const reading = (async () => {
      for (let read = await reader.read(); !read.done; read = await reader.read()) text += new TextDecoder().decode(read.value);
      return "ended";
    })().catch((error: Error) => error.message);
    await proxy.stop();
    // Ended cleanly, its last frame the error an SDK throws on, as any failure after the headers.
    expect(await reading).toBe("ended");
    const frames = text.trim().split("\n\n");
    expect(JSON.parse(frames.at(-1)!.slice("data: ".length))).toEqual({ error: { message: "The gateway is shutting down; retry.", type: "server_error", param: null, code: "shutting_down" } });
    expect(frames.slice(0, -1).every((frame) => frame.includes("chat.completion.chunk"))).toBe(true);
    expect(fx.logs.filter((line) => line.includes("could not be written"))).toEqual([]);
    const event = fx.origin.events().find((e) => e.requestId === "stream-cut-at-stop");
    expect(event).toMatchObject({ status: "error", errorCode: "shutting_down", stream: true });
    expect(event!.attemptTrail!.at(-1)).toMatchObject({ outcome: "error", reason: "shutting_down" });
    expect(event!.usage.outputTokens).toBeGreaterThan(0);
  });

  /** Runs main.ts as `bun region-proxy/main.ts` (the image's command), waits for its listening line, checks /ready, SIGTERMs it. */
  function runDirectly(extraEnv: Record<string, string>, listening: RegExp): Promise<{ stdout: string; exitCode: number }> {
    const config = fx.proxyConfig();
    return runUntilSignal({
      file: new URL("./main.ts", import.meta.url).pathname,
      env: {
        REGION: config.region,
        CONTROL_PLANE_URL: config.controlPlaneUrl,
        REGION_TOKEN: config.regionToken,
        TRUSTED_JWKS: JSON.stringify(config.trustedJwks),
        DATA_DIR: config.dataDir,
        PORT: "0",
        ECHO_KEY: "sk-echo-test",
        ...extraEnv,
      },
      listening,
      signal: "SIGTERM",
      whileUp: async (url) => expect((await fetch(`${url}/ready`)).status).toBe(200),
    });
  }

  test("run directly: logs its listening line like every other line and exits 0 on SIGTERM after a graceful stop", async () => {
    const { stdout, exitCode } = await runDirectly({}, /^\[proxy eu\] listening on (http:\/\/\S+)$/m);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^\[proxy eu\] stopped$/m);
  }, 20_000);

  test("run directly with LOG_FORMAT=json: every stdout line is one JSON object, the listening line included", async () => {
    const { stdout, exitCode } = await runDirectly({ LOG_FORMAT: "json" }, /"message":"listening on (http:\/\/[^"]+)"/);
    expect(exitCode).toBe(0);
    const lines = stdout.split("\n").filter((line) => line !== "");
    const records = lines.map((line) => JSON.parse(line) as Record<string, string>);
    for (const record of records) {
      expect([record.service, record.region], JSON.stringify(record)).toEqual(["proxy", "eu"]);
      expect(Number.isNaN(Date.parse(record.time!)), JSON.stringify(record)).toBe(false);
    }
    const messages = records.map((record) => record.message);
    expect(messages.some((message) => /^listening on http:\/\/\S+$/.test(message!))).toBe(true);
    expect(messages.at(-1)).toBe("stopped");
  }, 20_000);
});

test("a port another server holds fails the start (Bun's default SO_REUSEPORT would have shared it silently), and the proxy left nothing running", async () => {
  // Another server as Bun starts one by default (which sets SO_REUSEPORT itself).
  const holder = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => new Response("someone else") });
  try {
    const start = fx.startProxy({ port: holder.port as number, dataDir: fx.freshDataDir(), proxyId: "prx_portclash" });
    await expect(start).rejects.toThrow(`proxy eu cannot listen on 127.0.0.1:${holder.port}`);
    // Every request still reaches the server that held the port.
    for (let i = 0; i < 5; i++) expect(await (await fetch(`http://127.0.0.1:${holder.port}/health`)).text()).toBe("someone else");
    // Its snapshot loop (100 ms polls) was stopped with it.
    const polls = () => fx.origin.state.snapshotRequests.filter((r) => r.headers[PROXY_ID_HEADER] === "prx_portclash").length;
    expect(polls()).toBeGreaterThan(0);
    const after = polls();
    await Bun.sleep(350);
    expect(polls()).toBe(after);
  } finally {
    holder.stop(true);
  }
});
