/**
 * A tool_use block without a string `id` and `name` (https://docs.anthropic.com/en/api/messages: both
 * required strings) is no call the client can answer: refused unstreamed as the stream refuses it
 * (stream.ts content_block_start), so one vendor answer gets one verdict. Before, the unstreamed answer
 * dropped the block and gave the client finish_reason "tool_calls" with no tool call at all.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseAnthropic, startScriptedVendor } from "../../testing/scripted-vendor.ts";
import { parseAnthropicResponse } from "./response.ts";
import { createAnthropicStreamTranslator } from "./stream.ts";
import { VendorProtocolError } from "../types.ts";

const usage = { input_tokens: 10, output_tokens: 3 };
const answer = (block: unknown) => ({ id: "msg_1", type: "message", role: "assistant", model: "claude-x", content: [{ type: "text", text: "Let me look." }, block], stop_reason: "tool_use", stop_sequence: null, usage });
const UNUSABLE: unknown[] = [
  { type: "tool_use", id: 5, name: "get_weather", input: {} },
  { type: "tool_use", id: "toolu_1", name: null, input: {} },
  { type: "tool_use", name: "get_weather", input: {} },
];
const ctx = { completionId: "c", created: 1, model: "claude-x", includeUsage: true };

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({ "a-unnamed-tool": { provider: "anthropic", json: answer(UNUSABLE[0]) } }, true);
});
afterAll(() => v.stop());

test("a tool_use block without a string id and name is a protocol error, unstreamed as streamed", () => {
  for (const block of UNUSABLE) {
    expect(() => parseAnthropicResponse(answer(block), ctx)).toThrow(VendorProtocolError);
    const stream = createAnthropicStreamTranslator(ctx);
    stream.onEvent({ event: "message_start", id: null, data: JSON.stringify({ type: "message_start", message: { ...answer(null), content: [], usage } }) });
    expect(() => stream.onEvent({ event: "content_block_start", id: null, data: JSON.stringify({ type: "content_block_start", index: 0, content_block: block }) })).toThrow(VendorProtocolError);
  }
  // The response_format tool needs no id (its input is the content), and a proper call is kept, as before.
  expect(parseAnthropicResponse(answer({ type: "tool_use", name: "gateway_json_response", input: { a: 1 } }), { ...ctx, jsonResponse: true }).completion.choices[0]!.message.content).toBe('{"a":1}');
  const call = parseAnthropicResponse(answer({ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }), ctx).completion.choices[0]!;
  expect(call.finish_reason).toBe("tool_calls");
  expect(call.message.tool_calls).toEqual([{ id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }]);
});

test("refused and fallen back, the refused call charged what Anthropic reported", async () => {
  const before = v.calls.get("a-unnamed-tool") ?? 0;
  const plain = await v.chat("a-unnamed-tool");
  expect(plain.event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
  const refused = (v.calls.get("a-unnamed-tool") ?? 0) - before;
  expect(refused).toBeGreaterThan(0);
  expect(plain.answer.choices[0]!.finish_reason).toBe("stop");
  expect(plain.event.usage.inputTokens).toBe(plain.answer.usage!.prompt_tokens + 10 * refused);
  expect(plain.event.usage.outputTokens).toBe(plain.answer.usage!.completion_tokens + 3 * refused);
});
