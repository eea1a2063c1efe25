/**
 * Once Anthropic's message_start has reported the prompt's counts (input, cache reads, cache writes), a
 * stream that ends before its first chunk reaches the client (the client leaves, the total timeout
 * during the time to first token) is charged what the vendor reported, as the same stream cut one text
 * delta later is, not the gateway's prompt estimate at the full input price.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startPacedVendor } from "../../testing/paced-vendor.ts";

const sse = (...events: { type: string }[]) => events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
// message_start (60 uncached input + 30 cache reads + 10 cache writes, 1 output), content_block_start, then silence.
const head = (model: string) =>
  sse(
    { type: "message_start", message: { id: "msg", type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 60, cache_read_input_tokens: 30, cache_creation_input_tokens: 10, output_tokens: 1 } } } as { type: string },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } } as { type: string },
  );
const REPORTED = { inputTokens: 100, cachedInputTokens: 30, cacheWriteTokens: 10, outputTokens: 1 };
// At PACED_PRICE: 60 input at 10, 30 cache reads at 1, 10 cache writes at 20, 1 output at 40.
const REPORTED_COST = 60 * 10 + 30 * 1 + 10 * 20 + 1 * 40;

let v: Awaited<ReturnType<typeof startPacedVendor>>;
beforeAll(async () => {
  v = await startPacedVendor({
    started: { provider: "anthropic", frames: head("started"), then: "hang" },
    "started-cut": { provider: "anthropic", frames: head("started-cut"), then: "hang", timeouts: { firstByteMs: 5_000, totalMs: 1_500 } },
  });
});
afterAll(() => v?.stop());

test("the client leaves after message_start, before the first text: charged the input Anthropic reported", async () => {
  const { event } = await v.streamThenLeave("started", 700);
  expect(event.status).toBe("client_closed");
  expect(event.usage).toMatchObject(REPORTED);
  expect(event.costMicros).toBe(REPORTED_COST);
});

test("the total timeout after message_start, before the first text: charged the input Anthropic reported", async () => {
  const { status, event } = await v.stream("started-cut");
  expect(status).toBe(504);
  expect(event.errorCode).toBe("upstream_timeout");
  expect(event.usage).toMatchObject(REPORTED);
  expect(event.costMicros).toBe(REPORTED_COST);
});
