/**
 * A Message whose `content` holds anything but content block objects (https://docs.anthropic.com/en/api/messages:
 * `content` is an array of content blocks, each an object with a `type`) is no answer Anthropic documents:
 * refused as an invalid response, like any other malformed Message (the next deployment answers, the refused
 * call charged the usage Anthropic reported), never read as a network failure that charges nothing for an
 * answer Anthropic billed. The stream's content_block_start is held to the same rule.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseAnthropic, startScriptedVendor } from "../../testing/scripted-vendor.ts";
import { parseAnthropicResponse } from "./response.ts";
import { createAnthropicStreamTranslator } from "./stream.ts";
import { VendorProtocolError } from "../types.ts";

const usage = { input_tokens: 10, output_tokens: 3 };
const answer = (content: unknown) => ({ id: "msg_1", type: "message", role: "assistant", model: "claude-x", content, stop_reason: "end_turn", stop_sequence: null, usage });
const MALFORMED: [string, unknown[]][] = [
  ["a null block", [{ type: "text", text: "a" }, null]],
  ["a string block", ["a"]],
  ["a number block", [5]],
  ["a list block", [[{ type: "text", text: "a" }]]],
];

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  const start = { type: "message_start", message: { ...answer([]), stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } } };
  v = await startScriptedVendor(
    { "a-bad-content": { provider: "anthropic", json: answer([null]), sse: sseAnthropic(start, { type: "content_block_start", index: 0, content_block: null } as { type: string }) } },
    true, // falls back to the echo deployment
  );
});
afterAll(() => v.stop());

test("each malformed content block is a protocol error, unstreamed and streamed", () => {
  const ctx = { completionId: "c", created: 1, model: "claude-x", includeUsage: true };
  for (const [, content] of MALFORMED) {
    expect(() => parseAnthropicResponse(answer(content), ctx)).toThrow(VendorProtocolError);
    const stream = createAnthropicStreamTranslator(ctx);
    stream.onEvent({ event: "message_start", id: null, data: JSON.stringify({ type: "message_start", message: { ...answer([]), usage } }) });
    const start = { type: "content_block_start", index: 0, content_block: content.at(-1) };
    expect(() => stream.onEvent({ event: "content_block_start", id: null, data: JSON.stringify(start) })).toThrow(VendorProtocolError);
  }
  // Unknown block types (Anthropic adds them) are still skipped, as before.
  expect(parseAnthropicResponse(answer([{ type: "text", text: "a" }, { type: "server_tool_use", id: "s", name: "web_search", input: {} }]), ctx).completion.choices[0]!.message.content).toBe("a");
});

test("refused and fallen back, unstreamed as streamed, each refused call charged what Anthropic reported", async () => {
  const before = v.calls.get("a-bad-content") ?? 0;
  const plain = await v.chat("a-bad-content");
  expect(plain.event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
  const refused = (v.calls.get("a-bad-content") ?? 0) - before;
  expect(refused).toBeGreaterThan(0);
  expect(plain.event.usage.inputTokens).toBe(plain.answer.usage!.prompt_tokens + 10 * refused);
  expect(plain.event.usage.outputTokens).toBe(plain.answer.usage!.completion_tokens + 3 * refused);

  const streamed = await v.stream("a-bad-content");
  expect(streamed.error).toBeNull();
  expect(streamed.content).toContain("Echo:");
  expect(streamed.event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
});
