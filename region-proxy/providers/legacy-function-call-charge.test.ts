/**
 * When the vendor reports no usage, the output is charged from the characters it answered: one token
 * per 4 of content, refusal, and tool names and arguments. An OpenAI-format vendor answers a request
 * with the deprecated `functions` by a `message.function_call` (streamed as `delta.function_call`
 * name and argument fragments) instead of `tool_calls`; the same call must cost the same either way,
 * streamed and cut before the usage chunk (vendor-stream.ts) or unstreamed without usage
 * (usage-counts.ts). llama-cpp-python's OpenAI-compatible server puts one call in both fields, each
 * streamed delta and the unstreamed message (llama_chat_format.py _convert_completion_to_chat_function,
 * "TODO: Fix for legacy function calls"), and streams no usage: that call costs what it costs once.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseOpenAI, startScriptedVendor } from "../testing/scripted-vendor.ts";
import type { ChatCompletion, ResponseContext } from "./types.ts";
import { estimatedUsage } from "./usage-counts.ts";

const base = { id: "chatcmpl-1", created: 1741569952, model: "gpt-4o-2024-08-06", system_fingerprint: null };
const chunk = (delta: unknown) => ({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, logprobs: null, finish_reason: null }], usage: null });
const args = JSON.stringify({ locations: Array.from({ length: 70 }, (_, i) => `City number ${i}`) }); // 1,3xx characters
const pieces = Array.from({ length: 7 }, (_, i) => args.slice((i * args.length) / 7, ((i + 1) * args.length) / 7));
/** OpenAI's stream of these chunks, cut: no finish, no usage chunk, no [DONE]. */
const cut = (...chunks: unknown[]) => chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("");
const functions = [{ name: "get_weather", description: "Weather in some cities", parameters: { type: "object", properties: { locations: { type: "array", items: { type: "string" } } } } }];
const legacyStream = cut(chunk({ role: "assistant", content: null, function_call: { name: "get_weather", arguments: "" } }), ...pieces.map((text) => chunk({ function_call: { arguments: text } })));
const toolStream = cut(
  chunk({ role: "assistant", content: null, tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } }] }),
  ...pieces.map((text) => chunk({ tool_calls: [{ index: 0, function: { arguments: text } }] })),
);
const answerWith = (message: Record<string, unknown>, finish: string) => ({
  ...base,
  object: "chat.completion",
  choices: [{ index: 0, message: { role: "assistant", content: null, refusal: null, ...message }, logprobs: null, finish_reason: finish }],
});
const legacyAnswer = answerWith({ function_call: { name: "get_weather", arguments: args } }, "function_call");
const toolAnswer = answerWith({ tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: args } }] }, "tool_calls");
const charge = Math.ceil((args.length + "get_weather".length) / 4);
/** llama-cpp-python's stream of a forced call: every delta names the call and carries the same fragment in both fields; no usage. */
const llamaChunk = (delta: unknown, finish: string | null = null) => ({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
const llamaStream = (fields: { legacy: boolean; tools: boolean }) =>
  sseOpenAI(
    llamaChunk({ role: "assistant", content: null, function_call: null, tool_calls: null }),
    ...pieces.map((text) =>
      llamaChunk({
        role: null,
        content: null,
        function_call: fields.legacy ? { name: "get_weather", arguments: text } : null,
        tool_calls: fields.tools ? [{ index: 0, id: "call__0_get_weather_1", type: "function", function: { name: "get_weather", arguments: text } }] : null,
      }),
    ),
    llamaChunk({ role: null, content: null, function_call: null, tool_calls: null }, "tool_calls"),
  );
const bothAnswer = answerWith(
  { function_call: { name: "get_weather", arguments: args }, tool_calls: [{ id: "call__0_get_weather_1", type: "function", function: { name: "get_weather", arguments: args } }] },
  "tool_calls",
);

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({
    "cut-legacy": { provider: "openai", sse: legacyStream },
    "cut-tools": { provider: "openai", sse: toolStream },
    "plain-legacy": { provider: "openai", json: legacyAnswer },
    "plain-tools": { provider: "openai", json: toolAnswer },
    "llama-both": { provider: "openai", sse: llamaStream({ legacy: true, tools: true }) },
    "llama-legacy": { provider: "openai", sse: llamaStream({ legacy: true, tools: false }) },
    "llama-tools": { provider: "openai", sse: llamaStream({ legacy: false, tools: true }) },
    "plain-both": { provider: "openai", json: bothAnswer },
  });
});
afterAll(() => v.stop());

test("estimatedUsage charges a function_call's name and arguments as the same tool call's", () => {
  const ctx: ResponseContext = { completionId: "chatcmpl-gw", created: 1, model: "m", includeUsage: false, promptEstimate: () => 0 };
  const message = (body: Record<string, unknown>) => ({ choices: [{ index: 0, message: { role: "assistant", content: null, ...body }, finish_reason: "stop" }] }) as unknown as ChatCompletion;
  const call = { name: "get_weather", arguments: '{"location":"Paris, France","unit":"celsius","date":"2025-06-01","x":1}' };
  const legacy = estimatedUsage(message({ function_call: call }), ctx);
  expect(legacy.outputTokens).toBe(estimatedUsage(message({ tool_calls: [{ id: "c", type: "function", function: call }] }), ctx).outputTokens);
  expect(legacy.outputTokens).toBeGreaterThan(0);
  // Only strings count, as in a tool call; a null function_call (as some servers send beside content) is nothing.
  expect(estimatedUsage(message({ function_call: { name: 5, arguments: { length: 1e9 } } }), ctx).outputTokens).toBe(0);
  expect(estimatedUsage(message({ content: "abcd", function_call: null }), ctx).outputTokens).toBe(1);
});

test("a stream of a legacy function_call cut before its usage is charged the output it streamed, as a tool call is", async () => {
  const legacy = await v.stream("cut-legacy", { functions });
  const tools = await v.stream("cut-tools", { functions });
  expect(legacy.error).not.toBeNull();
  expect(tools.error).not.toBeNull();
  // The client saw every character of the arguments before the cut.
  const streamed = legacy.chunks.flatMap((c) => c.choices.map((choice) => (choice.delta as { function_call?: { arguments?: string } }).function_call?.arguments ?? ""));
  expect(streamed.join("")).toBe(args);
  expect(tools.event.usage.outputTokens).toBe(charge);
  expect(legacy.event.usage.outputTokens).toBe(tools.event.usage.outputTokens);
});

test("an unstreamed legacy function_call without usage is charged its name and arguments, as a tool call is", async () => {
  const legacy = await v.chat("plain-legacy", { functions });
  const tools = await v.chat("plain-tools", { functions });
  expect(legacy.answer.choices[0]!.message.function_call?.arguments).toBe(args);
  expect(tools.event.usage.outputTokens).toBe(charge);
  expect(legacy.event.usage.outputTokens).toBe(tools.event.usage.outputTokens);
  // And the client is shown what it is charged.
  expect(legacy.answer.usage!.completion_tokens).toBe(legacy.event.usage.outputTokens);
});

test("a call streamed as both function_call and tool_calls (llama-cpp-python) is charged once", async () => {
  const both = await v.stream("llama-both", { tools: [{ type: "function", function: functions[0] }] });
  const legacy = await v.stream("llama-legacy", { functions });
  const tools = await v.stream("llama-tools", { tools: [{ type: "function", function: functions[0] }] });
  expect(both.error).toBeNull();
  // Each delta names the call again; the client is sent the name once (stream-tool-calls.ts) and charged it once.
  expect(tools.event.usage.outputTokens).toBe(charge);
  expect(legacy.event.usage.outputTokens).toBe(tools.event.usage.outputTokens);
  expect(both.event.usage.outputTokens).toBe(tools.event.usage.outputTokens);
});

test("an unstreamed message with the call as both function_call and tool_calls, without usage, is charged once", async () => {
  const both = await v.chat("plain-both", { tools: [{ type: "function", function: functions[0] }] });
  const message = both.answer.choices[0]!.message;
  expect(message.function_call?.arguments).toBe(args);
  expect(message.tool_calls).toHaveLength(1);
  expect(both.event.usage.outputTokens).toBe(charge);
  expect(both.answer.usage!.completion_tokens).toBe(charge);
});
