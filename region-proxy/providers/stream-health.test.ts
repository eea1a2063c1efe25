/**
 * A committed stream's end is its deployment's verdict for the circuit breaker: a stream that breaks
 * after its first chunk (a stall until the deadline, garbage, a vendor's error event) counts as a
 * failure, a clean end as a success, a client that leaves as neither, and so does a stream still
 * sending chunks when the request's time ran out (a long answer is not a sick deployment); a half-open
 * probe keeps its slot until its stream ends. Driven through executeChat against small local vendors
 * that stream as the test tells them.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { executeChat, type ExecuteOptions, type VendorStream } from "./execute.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest } from "./types.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});

const encoder = new TextEncoder();
const chunkEvent = (content: string) =>
  encoder.encode(`data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { role: "assistant", content }, finish_reason: null }] })}\n\n`);

/**
 * An OpenAI-format vendor that sends one chunk per call and then does what the test says with the
 * body; with `everyMs`, it keeps sending a chunk that often and never ends (a long, healthy answer).
 */
function streamingVendor(everyMs?: number) {
  const bodies: ReadableStreamDefaultController<Uint8Array>[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    fetch: () => {
      let ticker: ReturnType<typeof setInterval> | undefined;
      return new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(chunkEvent("Hel"));
            bodies.push(controller);
            if (everyMs !== undefined) {
              ticker = setInterval(() => {
                try {
                  controller.enqueue(chunkEvent("lo"));
                } catch {
                  clearInterval(ticker);
                }
              }, everyMs);
            }
          },
          cancel: () => clearInterval(ticker),
        }),
        { headers: { "content-type": "text/event-stream" } },
      );
    },
  });
  servers.push(server);
  return {
    url: `http://127.0.0.1:${server.port}`,
    calls: () => bodies.length,
    /** Ends the latest call's stream cleanly, as the vendor's [DONE] does. */
    finish: () => {
      const body = bodies.at(-1)!;
      body.enqueue(chunkEvent("lo"));
      body.enqueue(encoder.encode("data: [DONE]\n\n"));
      body.close();
    },
    /** Breaks the latest call's stream with garbage. */
    garble: () => bodies.at(-1)!.enqueue(encoder.encode("data: {not json\n\n")),
  };
}

const messages = [{ role: "user", content: "hi" }];
const streamed = () => ({ model: "m", messages, stream: true, includeUsage: false, raw: { model: "m", messages, stream: true } }) as unknown as ChatRequest;
const target = (url: string) => ({
  deployment: { id: "d1", provider: "openai", baseUrl: `${url}/v1`, model: "d1-model", region: "eu", credentialRef: "env:K" } as SnapshotDeployment,
  adapter: openaiAdapter,
});
const options = (extra: Partial<ExecuteOptions>): ExecuteOptions => testExecuteOptions({ health: createMemoryBreaker(), ...extra });

/** Reads a stream to its end as the route does; what it ended with. */
async function drain(stream: VendorStream): Promise<string> {
  try {
    while (!(await stream.next()).done) {
      // chunks go to the client
    }
    return "done";
  } catch (error) {
    return stream.failure(error).kind;
  } finally {
    stream.close();
  }
}

async function startStream(url: string, extra: Partial<ExecuteOptions>): Promise<VendorStream> {
  const result = await executeChat(streamed(), [target(url)], options(extra));
  if (!result.ok || result.kind !== "stream") throw new Error(`expected a stream, got ${JSON.stringify(result)}`);
  return result.stream;
}

/** Half-open now: opened by one failure a whole cool-down ago, so the next grant is the probe; a failed probe re-opens it for a minute. */
function halfOpenBreaker() {
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
  breaker.onFailure("d1", Date.now() - 60_000);
  return breaker;
}

/**
 * A deadline of 400 ms and a first-byte timeout of 150 ms: a stream cut by the deadline counts against
 * its deployment when it had been silent for longer than the first-byte timeout when it was cut.
 */
const CUT = { totalMs: 400, firstByteMs: 150 };

test("streams that stall after their first chunk until the deadline open the breaker: the deployment is skipped, not called again", async () => {
  const vendor = streamingVendor();
  const breaker = createMemoryBreaker({ failureThreshold: 2, coolDownMs: 30_000 });
  for (let i = 0; i < 2; i++) expect(await drain(await startStream(vendor.url, { health: breaker, ...CUT }))).toBe("upstream_timeout");
  expect(breaker.canAttempt("d1")).toBe(false);
  const third = await executeChat(streamed(), [target(vendor.url)], options({ health: breaker, ...CUT }));
  expect(third.ok).toBe(false);
  expect(third.trail.steps.map((s) => s.reason)).toEqual(["circuit_open"]);
  expect(vendor.calls()).toBe(2);
});

test("streams still sending chunks when the request's time runs out do not open the breaker: a long answer is no failure", async () => {
  const vendor = streamingVendor(20);
  const breaker = createMemoryBreaker({ failureThreshold: 2, coolDownMs: 30_000 });
  for (let i = 0; i < 3; i++) expect(await drain(await startStream(vendor.url, { health: breaker, ...CUT }))).toBe("upstream_timeout");
  expect(breaker.canAttempt("d1")).toBe(true);
  expect(vendor.calls()).toBe(3);
});

test("a half-open probe whose stream is still sending chunks when the request's time runs out gives its slot back", async () => {
  const vendor = streamingVendor(20);
  const breaker = halfOpenBreaker();
  expect(await drain(await startStream(vendor.url, { health: breaker, ...CUT }))).toBe("upstream_timeout");
  expect(breaker.canAttempt("d1")).toBe("probe");
});

test("a stream that breaks with garbage after its first chunk counts as a failure", async () => {
  const vendor = streamingVendor();
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 30_000 });
  const stream = await startStream(vendor.url, { health: breaker });
  vendor.garble();
  expect(await drain(stream)).toBe("upstream_invalid_response");
  expect(breaker.canAttempt("d1")).toBe(false);
});

test("a half-open probe's stream holds the slot until it ends; its clean end closes the breaker", async () => {
  const vendor = streamingVendor();
  const breaker = halfOpenBreaker();
  const stream = await startStream(vendor.url, { health: breaker });
  // First chunk in hand, stream still running: the verdict is not in, nobody else probes.
  expect(breaker.canAttempt("d1")).toBe(false);
  vendor.finish();
  expect(await drain(stream)).toBe("done");
  expect(breaker.canAttempt("d1")).toBe(true);
});

test("a half-open probe's stream that stalls after its first chunk re-opens the breaker", async () => {
  const vendor = streamingVendor();
  const breaker = halfOpenBreaker();
  expect(await drain(await startStream(vendor.url, { health: breaker, ...CUT }))).toBe("upstream_timeout");
  expect(breaker.canAttempt("d1")).toBe(false);
});

test("a probe whose client leaves mid-stream gives the slot back: the next request probes at once", async () => {
  const vendor = streamingVendor();
  const breaker = halfOpenBreaker();
  const client = new AbortController();
  const stream = await startStream(vendor.url, { health: breaker, clientSignal: client.signal });
  client.abort();
  await drain(stream);
  expect(breaker.canAttempt("d1")).toBe("probe");
});

test("a client that leaves mid-stream says nothing about the deployment: counted failures stay, none is added", async () => {
  const vendor = streamingVendor();
  const breaker = createMemoryBreaker({ failureThreshold: 2, coolDownMs: 30_000 });
  breaker.onFailure("d1");
  const client = new AbortController();
  const stream = await startStream(vendor.url, { health: breaker, clientSignal: client.signal });
  client.abort();
  await drain(stream);
  expect(breaker.canAttempt("d1")).toBe(true); // not counted as a failure
  breaker.onFailure("d1");
  expect(breaker.canAttempt("d1")).toBe(false); // nor as a success that would have forgotten the first
});
