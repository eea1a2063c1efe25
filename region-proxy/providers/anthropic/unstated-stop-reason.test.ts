/**
 * An Anthropic(-compatible) answer that never states its stop_reason (a message_delta with stop_reason
 * null, which Anthropic's SDK types StopReason | null, or no message_delta at all, as some
 * Anthropic-compatible endpoints stream) still reaches the client with a finish_reason: the turn ended
 * (message_stop came), so "stop", or "tool_calls" when it called the client's tools. Unstreamed, a
 * stop_reason null reads the same. Read through the official SDK's stream helper, whose
 * finalChatCompletion() throws "missing finish_reason for choice 0" on a stream that never sends one.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseAnthropic, startScriptedVendor } from "../../testing/scripted-vendor.ts";

type Event = { type: string } & Record<string, unknown>;
const start: Event = {
  type: "message_start",
  message: { id: "msg_1", type: "message", role: "assistant", model: "claude-x", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } },
};
const text: Event[] = [
  { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
  { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello" } },
  { type: "content_block_stop", index: 0 },
];
const toolCall: Event[] = [
  { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_1", name: "lookup", input: {} } },
  { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"q":"x"}' } },
  { type: "content_block_stop", index: 1 },
];
const delta = (stop_reason: string | null): Event => ({ type: "message_delta", delta: { stop_reason, stop_sequence: null }, usage: { output_tokens: 5 } });
const stop: Event = { type: "message_stop" };
const message = (content: unknown[]) => ({ id: "msg_1", type: "message", role: "assistant", model: "claude-x", content, stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 5 } });
const TOOLS = { tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } } }] };

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({
    "claude-null-stop": { provider: "anthropic", sse: sseAnthropic(start, ...text, delta(null), stop), json: message([{ type: "text", text: "Hello" }]) },
    "claude-no-delta": { provider: "anthropic", sse: sseAnthropic(start, ...text, stop) },
    "claude-null-then-end": { provider: "anthropic", sse: sseAnthropic(start, ...text, delta(null), delta("end_turn"), stop) },
    "claude-tool-null-stop": {
      provider: "anthropic",
      sse: sseAnthropic(start, ...text, ...toolCall, delta(null), stop),
      json: message([{ type: "text", text: "Hello" }, { type: "tool_use", id: "toolu_1", name: "lookup", input: { q: "x" } }]),
    },
  });
});
afterAll(() => v.stop());

const ask = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: "user" as const, content: "hi" }], ...extra });

test("a message_delta with stop_reason null: the stream helper's final completion finishes with stop, charged as sent", async () => {
  const final = await v.client.chat.completions.stream(ask("claude-null-stop")).finalChatCompletion();
  expect(final.choices[0]!.message.content).toBe("Hello");
  expect(final.choices[0]!.finish_reason).toBe("stop");
  const streamed = await v.stream("claude-null-stop");
  expect(streamed.finish).toEqual(["stop"]);
  expect(streamed.event.usage).toMatchObject({ inputTokens: 10, outputTokens: 5 });
});

test("a stream without any message_delta finishes with stop at message_stop", async () => {
  const final = await v.client.chat.completions.stream(ask("claude-no-delta")).finalChatCompletion();
  expect(final.choices[0]!.message.content).toBe("Hello");
  expect(final.choices[0]!.finish_reason).toBe("stop");
});

test("a stream whose first message_delta has stop_reason null and a later one end_turn finishes once, with stop", async () => {
  const streamed = await v.stream("claude-null-then-end");
  expect(streamed.finish).toEqual(["stop"]);
  const final = await v.client.chat.completions.stream(ask("claude-null-then-end")).finalChatCompletion();
  expect(final.choices[0]!.finish_reason).toBe("stop");
});

test("an answer that called a tool with stop_reason null finishes with tool_calls, streamed and unstreamed", async () => {
  const final = await v.client.chat.completions.stream(ask("claude-tool-null-stop", TOOLS)).finalChatCompletion();
  expect(final.choices[0]!.finish_reason).toBe("tool_calls");
  expect(final.choices[0]!.message.tool_calls?.[0]).toMatchObject({ id: "toolu_1", function: { name: "lookup", arguments: '{"q":"x"}' } });
  const { answer } = await v.chat("claude-tool-null-stop", TOOLS);
  expect(answer.choices[0]!.finish_reason).toBe("tool_calls");
});

test("an unstreamed answer with stop_reason null finishes with stop, as the stream does", async () => {
  const { answer } = await v.chat("claude-null-stop");
  expect(answer.choices[0]!.message.content).toBe("Hello");
  expect(answer.choices[0]!.finish_reason).toBe("stop");
});
