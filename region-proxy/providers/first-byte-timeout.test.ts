/**
 * What the first-byte timeout bounds: a stream's wait for the vendor's first event, never a
 * non-streamed answer (its headers come only once the whole answer is ready, so only its deployment's
 * total bounds it, and a hung one leaves the next deployment its own total). A stream that is thinking (Anthropic's thinking_delta
 * events, the client's reasoning_content, and ping events, which become no chunk) has answered; cut by its deadline while such events still
 * arrive, it is a long answer, not a silent deployment, and the breaker hears nothing. Driven through
 * executeChat and executeEmbeddings against small local vendors.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { anthropicAdapter } from "./anthropic/adapter.ts";
import { executeEmbeddings } from "./execute-embeddings.ts";
import { executeChat, type ExecuteOptions, type VendorStream } from "./execute.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest, EmbeddingsRequest } from "./types.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
function vendor(handle: (request: Request) => Response | Promise<Response>) {
  let calls = 0;
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: (request) => (calls++, handle(request)) });
  servers.push(server);
  return { url: `http://127.0.0.1:${server.port}`, calls: () => calls };
}

const encoder = new TextEncoder();
const anthropicEvent = (type: string, data: object) => encoder.encode(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
const messageStart = anthropicEvent("message_start", { message: { id: "msg_1", type: "message", role: "assistant", content: [], model: "claude", stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 0 } } });

/**
 * An Anthropic vendor (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#streaming-thinking)
 * that thinks: message_start, a thinking block, then `keepAlive` events every 20 ms; after
 * `textAfterMs` (if given) its text and a clean end. With `textFirst`, a text delta comes before the thinking.
 */
function thinkingVendor(keepAlive: "thinking" | "ping", opts: { textAfterMs?: number; textFirst?: boolean } = {}) {
  return vendor(() => {
    let ticker: ReturnType<typeof setInterval> | undefined;
    let ender: ReturnType<typeof setTimeout> | undefined;
    const stop = () => (clearInterval(ticker), clearTimeout(ender));
    return new Response(
      new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(messageStart);
          if (opts.textFirst) {
            c.enqueue(anthropicEvent("content_block_start", { index: 0, content_block: { type: "text", text: "" } }));
            c.enqueue(anthropicEvent("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Hi" } }));
          } else c.enqueue(anthropicEvent("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "" } }));
          const beat = keepAlive === "ping" ? anthropicEvent("ping", {}) : anthropicEvent("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "hmm " } });
          ticker = setInterval(() => {
            try {
              c.enqueue(beat);
            } catch {
              stop();
            }
          }, 20);
          if (opts.textAfterMs !== undefined) {
            ender = setTimeout(() => {
              stop();
              c.enqueue(anthropicEvent("content_block_stop", { index: 0 }));
              c.enqueue(anthropicEvent("content_block_start", { index: 1, content_block: { type: "text", text: "" } }));
              c.enqueue(anthropicEvent("content_block_delta", { index: 1, delta: { type: "text_delta", text: "42" } }));
              c.enqueue(anthropicEvent("content_block_stop", { index: 1 }));
              c.enqueue(anthropicEvent("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 5 } }));
              c.enqueue(anthropicEvent("message_stop", {}));
              c.close();
            }, opts.textAfterMs);
          }
        },
        cancel: stop,
      }),
      { headers: { "content-type": "text/event-stream" } },
    );
  });
}

const messages = [{ role: "user", content: "hi" }];
const chat = (stream: boolean) => ({ model: "m", messages, stream, includeUsage: false, raw: { model: "m", messages, stream } }) as unknown as ChatRequest;
const deployment = (url: string, provider: "openai" | "anthropic", timeouts?: SnapshotDeployment["timeouts"], id = "d1") =>
  ({ id, provider, baseUrl: provider === "openai" ? `${url}/v1` : url, model: "d1-model", region: "eu", credentialRef: "env:K", ...(timeouts ? { timeouts } : {}) }) as SnapshotDeployment;
const target = (url: string, provider: "openai" | "anthropic", timeouts?: SnapshotDeployment["timeouts"], id = "d1") => ({ deployment: deployment(url, provider, timeouts, id), adapter: provider === "openai" ? openaiAdapter : anthropicAdapter });
const options = (extra: Partial<ExecuteOptions>): ExecuteOptions => testExecuteOptions({ firstByteMs: 150, totalMs: 5_000, health: createMemoryBreaker(), ...extra });
const completion = { id: "x", object: "chat.completion", created: 1, model: "m1", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };

/** Reads a stream to its end as the route does: its text, or the error it ended with. */
async function drain(stream: VendorStream): Promise<string> {
  let text = "";
  const add = (chunks: { choices: { delta?: { content?: unknown } }[] }[]) => {
    for (const chunk of chunks) for (const choice of chunk.choices) if (typeof choice.delta?.content === "string") text += choice.delta.content;
  };
  add(stream.initialChunks as never);
  try {
    while (true) {
      const step = await stream.next();
      add(step.chunks as never);
      if (step.done) return text;
    }
  } catch (error) {
    return stream.failure(error).kind;
  } finally {
    stream.close();
  }
}

test("a non-streamed chat answer that takes longer than the first-byte timeout is waited for: one call, no timeout", async () => {
  const slow = vendor(async () => (await Bun.sleep(400), Response.json(completion)));
  const result = await executeChat(chat(false), [target(slow.url, "openai")], options({}));
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => s.reason)).toEqual([null]);
  expect(slow.calls()).toBe(1);
});

test("non-streamed embeddings that take longer than the first-byte timeout are waited for: one call, no timeout", async () => {
  const slow = vendor(async () => (await Bun.sleep(400), Response.json({ object: "list", data: [{ object: "embedding", index: 0, embedding: [0.1] }], model: "e", usage: { prompt_tokens: 1, total_tokens: 1 } })));
  const req: EmbeddingsRequest = { model: "e", input: "hi", encodingFormat: "float", raw: { model: "e", input: "hi" } };
  const result = await executeEmbeddings(req, [target(slow.url, "openai")], { ...options({}), label: "emb" });
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => s.reason)).toEqual([null]);
  expect(slow.calls()).toBe(1);
});

test("a deployment's connectMs does not bound a non-streamed answer: one slower to generate than connectMs is answered in one call", async () => {
  // Its headers come once the answer is whole: a connect timeout on them cut every answer that took
  // longer to generate, and called the vendor again (billed twice), to end in a 504.
  const slow = vendor(async () => (await Bun.sleep(400), Response.json(completion)));
  const result = await executeChat(chat(false), [target(slow.url, "openai", { connectMs: 100, firstByteMs: 100 })], options({ firstByteMs: 100, totalMs: 30_000 }));
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => s.reason)).toEqual([null]);
  expect(slow.calls()).toBe(1);
});

test("a hung non-streamed deployment ends at its own total and the next deployment still gets all of its own: it answers", async () => {
  // Both deployments 300 ms: the request may take their sum, so the hang leaves the fallback its 300 ms.
  const hangs = vendor(() => new Promise<Response>(() => {}));
  const answers = vendor(async () => (await Bun.sleep(150), Response.json(completion)));
  const started = Date.now();
  const result = await executeChat(chat(false), [target(hangs.url, "openai", { totalMs: 300 }, "d1"), target(answers.url, "openai", { totalMs: 300 }, "d2")], options({ totalMs: 30_000 }));
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.reason}`)).toEqual(["d1:timeout_total", "d2:null"]);
  // Not retried at once: a second wait as long as the first would have left the fallback nothing.
  expect(hangs.calls()).toBe(1);
  expect(Date.now() - started).toBeLessThan(2_000);
});

test("with the proxy's default total on every deployment, a hung first deployment still falls back", async () => {
  const hangs = vendor(() => new Promise<Response>(() => {}));
  const answers = vendor(() => Response.json(completion));
  const result = await executeChat(chat(false), [target(hangs.url, "openai", undefined, "d1"), target(answers.url, "openai", undefined, "d2")], options({ totalMs: 400 }));
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.reason}`)).toEqual(["d1:timeout_total", "d2:null"]);
});

test("a stream that thinks longer than the first-byte timeout before its text is no first-byte timeout: its answer arrives", async () => {
  const thinker = thinkingVendor("thinking", { textAfterMs: 400 });
  const result = await executeChat(chat(true), [target(thinker.url, "anthropic")], options({}));
  if (!result.ok || result.kind !== "stream") throw new Error(`expected a stream, got ${JSON.stringify(result).slice(0, 300)}`);
  expect(await drain(result.stream)).toBe("42");
  expect(thinker.calls()).toBe(1);
});

// Thinking deltas are the client's reasoning_content (anthropic/stream.ts): the stream is committed at the first.
test("streams still thinking when the deadline cuts them, before any text, do not open the breaker and are not retried", async () => {
  const thinker = thinkingVendor("thinking");
  const breaker = createMemoryBreaker({ failureThreshold: 2, coolDownMs: 30_000 });
  for (let i = 0; i < 3; i++) {
    const result = await executeChat(chat(true), [target(thinker.url, "anthropic")], options({ health: breaker, totalMs: 400 }));
    if (!result.ok || result.kind !== "stream") throw new Error(`expected a stream, got ${JSON.stringify(result).slice(0, 300)}`);
    expect(await drain(result.stream)).toBe("upstream_timeout");
  }
  expect(breaker.canAttempt("d1")).toBe(true);
  expect(thinker.calls()).toBe(3);
});

test("a half-open probe still thinking when the deadline cuts it gives its slot back", async () => {
  const thinker = thinkingVendor("thinking");
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
  breaker.onFailure("d1", Date.now() - 60_000);
  const result = await executeChat(chat(true), [target(thinker.url, "anthropic")], options({ health: breaker, totalMs: 400 }));
  if (!result.ok || result.kind !== "stream") throw new Error(`expected a stream, got ${JSON.stringify(result).slice(0, 300)}`);
  expect(await drain(result.stream)).toBe("upstream_timeout");
  expect(breaker.canAttempt("d1")).toBe("probe");
});

test("committed streams still sending pings when the deadline cuts them do not open the breaker: the vendor was heard from", async () => {
  const pinger = thinkingVendor("ping", { textFirst: true });
  const breaker = createMemoryBreaker({ failureThreshold: 2, coolDownMs: 30_000 });
  for (let i = 0; i < 3; i++) {
    const result = await executeChat(chat(true), [target(pinger.url, "anthropic")], options({ health: breaker, totalMs: 400 }));
    if (!result.ok || result.kind !== "stream") throw new Error(`expected a stream, got ${JSON.stringify(result).slice(0, 300)}`);
    expect(await drain(result.stream)).toBe("upstream_timeout");
  }
  expect(breaker.canAttempt("d1")).toBe(true);
  expect(pinger.calls()).toBe(3);
});

test("a stream whose vendor sends nothing after its headers still times out at the first-byte time", async () => {
  let n = 0;
  const mute = vendor(() => (++n === 1 ? new Response(new ReadableStream({ start() {} }), { headers: { "content-type": "text/event-stream" } }) : new Response(new ReadableStream({ start: (c) => (c.enqueue(messageStart), c.enqueue(anthropicEvent("content_block_start", { index: 0, content_block: { type: "text", text: "" } })), c.enqueue(anthropicEvent("content_block_delta", { index: 0, delta: { type: "text_delta", text: "ok" } })), c.enqueue(anthropicEvent("message_stop", {})), c.close()) }), { headers: { "content-type": "text/event-stream" } })));
  const result = await executeChat(chat(true), [target(mute.url, "anthropic")], options({}));
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => s.reason)).toEqual(["timeout_first_byte", null]);
});

test("a deployment that timed out once is retried after the rest of the chain failed, while attempts and time are left", async () => {
  let n = 0;
  const hangsOnce = vendor(() => (++n === 1 ? new Promise<Response>(() => {}) : Response.json(completion)));
  const failing = vendor(() => Response.json({ error: { message: "boom", type: "server_error" } }, { status: 500 }));
  const result = await executeChat(chat(false), [target(hangsOnce.url, "openai", { totalMs: 300 }, "d1"), target(failing.url, "openai", { totalMs: 2_000 }, "d2")], options({ totalMs: 30_000 }));
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.reason}`)).toEqual(["d1:timeout_total", "d2:status_500", "d2:status_500", "d1:null"]);
  expect(result.ok).toBe(true);
});

test("a Retry-After longer than the waiting deployment's own total is told to the caller, not slept through", async () => {
  const failing = vendor(() => Response.json({ error: { message: "boom", type: "server_error" } }, { status: 500 }));
  const limited = vendor(() => Response.json({ error: { message: "slow down", type: "requests", code: "rate_limit_exceeded" } }, { status: 429, headers: { "retry-after": "3" } }));
  const started = Date.now();
  const result = await executeChat(chat(false), [target(failing.url, "openai", { totalMs: 2_000 }, "d1"), target(limited.url, "openai", { totalMs: 2_000 }, "d2")], options({ totalMs: 30_000 }));
  expect(Date.now() - started).toBeLessThan(1_500);
  expect(!result.ok && result.error).toMatchObject({ kind: "upstream_rate_limited", retryAfterMs: 3000 });
});
