/**
 * An Anthropic(-compatible) stream whose message_delta brings no output_tokens (no usage at all, or
 * output_tokens null, as some Anthropic-compatible endpoints send) has no final output count:
 * message_start's output_tokens is a placeholder (1), not the answer's. The output is unknown, so the
 * request is charged no less than the streamed text's estimate (one token per 4 characters), as a
 * stream without usage is (garbage usage is never cheaper than no usage, usage-counts.ts), with the
 * input message_start reported; the client's usage chunk shows that charge.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseAnthropic, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const TEXT = "word ".repeat(400); // 2,000 characters: 500 tokens estimated
const start = { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "claude-x", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } };
const streamWithDelta = (delta: Record<string, unknown>) =>
  sseAnthropic(
    start,
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } } as { type: string },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: TEXT } } as { type: string },
    { type: "content_block_stop", index: 0 } as { type: string },
    { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, ...delta } as { type: string },
    { type: "message_stop" },
  );

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({
    "claude-delta-no-usage": { provider: "anthropic", sse: streamWithDelta({}) },
    "claude-delta-null-output": { provider: "anthropic", sse: streamWithDelta({ usage: { output_tokens: null } }) },
    "claude-delta-input-only": { provider: "anthropic", sse: streamWithDelta({ usage: { input_tokens: 10 } }) },
    "claude-delta-output": { provider: "anthropic", sse: streamWithDelta({ usage: { output_tokens: 400 } }) },
  });
});
afterAll(() => v.stop());

for (const model of ["claude-delta-no-usage", "claude-delta-null-output", "claude-delta-input-only"]) {
  test(`${model}: a message_delta without output_tokens is charged the streamed text's estimate, not message_start's placeholder`, async () => {
    const streamed = await v.stream(model);
    expect(streamed.content).toBe(TEXT);
    expect(streamed.event.status).toBe("ok");
    expect(streamed.event.usage).toMatchObject({ inputTokens: 10, outputTokens: 500 });
    expect(streamed.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 500 });
  });
}

test("a message_delta with output_tokens is charged that count", async () => {
  const streamed = await v.stream("claude-delta-output");
  expect(streamed.event.usage).toMatchObject({ inputTokens: 10, outputTokens: 400 });
  expect(streamed.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 400 });
});
