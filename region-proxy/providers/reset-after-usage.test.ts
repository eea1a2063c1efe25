/**
 * A 2xx Anthropic stream that reported its prompt's usage (message_start: 5000 input tokens) and then
 * lost its connection before its first chunk is charged those 5000 tokens (attempt-outcome.ts
 * answerCut: Trail.unansweredCalls with what the stream reported), as the same stream stalled until its
 * timeout is; the fallback answers. Before, the reset was a plain `network` failure, charged nothing.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseAnthropic } from "../testing/scripted-vendor.ts";
import { head, httpChunk, startRawVendors } from "../testing/raw-vendor.ts";

const start = sseAnthropic({ type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", content: [], model: "c", usage: { input_tokens: 5000, output_tokens: 1 } } } as { type: string });
const streamHead = head("200 OK", { "content-type": "text/event-stream", "transfer-encoding": "chunked" });
let t: Awaited<ReturnType<typeof startRawVendors>>;
beforeAll(async () => {
  t = await startRawVendors(
    {
      dep_reset: { provider: "anthropic", script: (s) => { s.write(streamHead + httpChunk(start)); setTimeout(() => s.terminate(), 50); } },
      dep_stall: { provider: "anthropic", timeouts: { totalMs: 1_000 }, script: (s) => { s.write(streamHead + httpChunk(start)); } },
    },
    { reset: ["dep_reset", "dep_echo1"], stall: ["dep_stall", "dep_echo1"] },
  );
});
afterAll(() => t?.stop());

async function streamed(model: string) {
  const { data, response } = await t.client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }], stream: true }).withResponse();
  for await (const _ of data) { /* drain */ }
  return t.eventOf(response.headers.get("x-request-id"));
}

test("control: a stall after message_start is charged the 5000 input tokens it reported", async () => {
  const event = await streamed("stall");
  expect(event.usage.inputTokens).toBeGreaterThanOrEqual(5000);
}, 30_000);

test("a connection reset after message_start is charged the 5000 input tokens it reported too", async () => {
  const event = await streamed("reset");
  expect(event.usage.inputTokens).toBeGreaterThanOrEqual(5000);
  // Retried once (a transient failure), each call charged what it reported; then the fallback answers.
  expect(event.attemptTrail?.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["dep_reset:error:answer_cut", "dep_reset:error:answer_cut", "dep_echo1:ok:null"]);
  expect(event.usage.inputTokens).toBeGreaterThanOrEqual(10_000);
}, 30_000);
