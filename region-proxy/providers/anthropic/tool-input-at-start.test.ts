/**
 * Anthropic streams a tool_use block as content_block_start with `input: {}` and its arguments as
 * input_json_delta events (https://platform.claude.com/docs/en/build-with-claude/streaming). Some
 * Anthropic-format streams put the whole input on content_block_start and send no delta (synthetic
 * streams built from a whole answer: AntSeed/antseed#15, inflaborg/ccrelay#119). Anthropic's own SDK
 * keeps that input (its MessageStream pushes the started block and only a delta replaces its input), so
 * the call's arguments are the start's input, not "{}": the client must get them, streamed as unstreamed,
 * for a client tool and for the response_format JSON tool alike.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type OpenAI from "openai";
import { sseAnthropic, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const a = (event: Record<string, unknown>) => event as { type: string };
const start = a({ type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "claude-x", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } });
const end = (reason: string) => [a({ type: "message_delta", delta: { stop_reason: reason, stop_sequence: null }, usage: { output_tokens: 12 } }), a({ type: "message_stop" })];

/** Two calls, each whole on its content_block_start, no input_json_delta; the second with an empty input. */
const wholeCalls = sseAnthropic(
  start,
  a({ type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_a", name: "get_weather", input: { city: "Paris" } } }),
  a({ type: "content_block_stop", index: 0 }),
  a({ type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_b", name: "get_time", input: {} } }),
  a({ type: "content_block_stop", index: 1 }),
  ...end("tool_use"),
);
const wholeCallsMessage = {
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "claude-x",
  content: [
    { type: "tool_use", id: "toolu_a", name: "get_weather", input: { city: "Paris" } },
    { type: "tool_use", id: "toolu_b", name: "get_time", input: {} },
  ],
  stop_reason: "tool_use",
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 12 },
};
/** The response_format JSON tool, whole on its content_block_start. */
const wholeJson = sseAnthropic(
  start,
  a({ type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_j", name: "gateway_json_response", input: { answer: 42 } } }),
  a({ type: "content_block_stop", index: 0 }),
  ...end("tool_use"),
);

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({ "claude-whole-calls": { provider: "anthropic", sse: wholeCalls, json: wholeCallsMessage }, "claude-whole-json": { provider: "anthropic", sse: wholeJson } });
});
afterAll(() => v.stop());

const tools: OpenAI.ChatCompletionTool[] = [
  { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
  { type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } },
];
const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "weather and time?" }];

test("a tool_use whose input comes whole on content_block_start keeps it, streamed (the SDK's stream helper) as unstreamed", async () => {
  const unstreamed = await v.client.chat.completions.create({ model: "claude-whole-calls", messages, tools });
  const streamed = await v.client.chat.completions.stream({ model: "claude-whole-calls", messages, tools }).finalChatCompletion();
  const expected = [
    { id: "toolu_a", type: "function" as const, function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
    { id: "toolu_b", type: "function" as const, function: { name: "get_time", arguments: "{}" } },
  ];
  expect(unstreamed.choices[0]!.message.tool_calls).toEqual(expected);
  expect(streamed.choices[0]!.message.tool_calls).toEqual(expected);
  expect(streamed.choices[0]!.finish_reason).toBe("tool_calls");
});

test("the response_format JSON tool's input whole on content_block_start is the streamed content", async () => {
  const format = { type: "json_schema" as const, json_schema: { name: "answer", schema: { type: "object", properties: { answer: { type: "number" } } } } };
  const streamed = await v.client.chat.completions.stream({ model: "claude-whole-json", messages, response_format: format }).finalChatCompletion();
  expect(streamed.choices[0]!.message.content).toBe('{"answer":42}');
  expect(streamed.choices[0]!.finish_reason).toBe("stop");
});
