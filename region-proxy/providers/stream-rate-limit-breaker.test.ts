/**
 * A stream that the vendor ends with a rate-limit error event after its first chunk (Anthropic's
 * `event: error` `rate_limit_error`, which it may send mid-stream as it does `overloaded_error`:
 * https://docs.anthropic.com/en/api/errors, "errors can occur after returning a 200 response") is the
 * vendor pacing the gateway, as its 429 is before the first chunk (README: "a vendor's 429 is none"):
 * the breaker hears nothing of it, and a probe gives its slot back. Before, any error event after the
 * first chunk counted as the deployment failing, so a few paced streams opened its circuit for every
 * tenant, and a paced probe re-opened it. An overload (529) there still counts.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { anthropicAdapter } from "./anthropic/adapter.ts";
import { executeChat } from "./execute.ts";
import type { ChatRequest } from "./types.ts";
import type { VendorStream } from "./vendor-stream.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});

const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
/** An Anthropic stream that sends "Hel" and then the error event of `errorType`. */
function vendorEndingWith(errorType: string, message: string): string {
  const body =
    event("message_start", { message: { id: "msg_1", type: "message", role: "assistant", content: [], model: "claude-sonnet-4-5", stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } } }) +
    event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }) +
    event("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Hel" } }) +
    event("error", { error: { type: errorType, message } });
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => new Response(body, { headers: { "content-type": "text/event-stream" } }) });
  servers.push(server);
  return `http://127.0.0.1:${server.port}`;
}
const messages = [{ role: "user", content: "hi" }];
const chat = { model: "m", messages, stream: true, includeUsage: false, raw: { model: "m", messages, stream: true } } as unknown as ChatRequest;
const target = (url: string) => ({
  deployment: { id: "d1", provider: "anthropic", baseUrl: url, model: "claude-sonnet-4-5", region: "eu", credentialRef: "env:K" } as SnapshotDeployment,
  adapter: anthropicAdapter,
});

/** Runs one streamed request to its end as the route does; the trail reason it ended with. */
async function streamOnce(url: string, breaker: ReturnType<typeof createMemoryBreaker>): Promise<string | null> {
  const result = await executeChat(chat, [target(url)], testExecuteOptions({ health: breaker }));
  if (!result.ok || result.kind !== "stream") throw new Error(`expected a committed stream, got ${JSON.stringify(result)}`);
  const stream: VendorStream = result.stream;
  try {
    while (!(await stream.next()).done) {
      // read on
    }
    return null;
  } catch (error) {
    return stream.failureReason(error);
  } finally {
    stream.close();
  }
}

test("a rate-limit error event after the first chunk is no failure: the circuit stays closed", async () => {
  const url = vendorEndingWith("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit");
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
  expect(await streamOnce(url, breaker)).toBe("status_429");
  await Bun.sleep(10);
  expect(breaker.canAttempt("d1")).toBe(true);
});

test("a probe whose stream ends with a rate-limit error event gives its slot back: the next request probes", async () => {
  const url = vendorEndingWith("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit");
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 100 });
  breaker.onFailure("d1");
  await Bun.sleep(120);
  expect(await streamOnce(url, breaker)).toBe("status_429");
  await Bun.sleep(10);
  expect(breaker.canAttempt("d1")).toBe("probe");
});

test("an overloaded error event after the first chunk still counts against the deployment", async () => {
  const url = vendorEndingWith("overloaded_error", "Overloaded");
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
  expect(await streamOnce(url, breaker)).toBe("status_529");
  await Bun.sleep(10);
  expect(breaker.canAttempt("d1")).toBe(false);
});
