import { expect, test } from "bun:test";
import { useEchoVendor } from "./test-client.ts";

const echo = useEchoVendor();
const weather = {
  type: "function" as const,
  function: {
    name: "get_weather",
    strict: true,
    parameters: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" }, unit: { type: "string", enum: ["c", "f"] } }, required: ["city", "days", "unit"], additionalProperties: false },
  },
};
const clock = { type: "function" as const, function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" }, verbose: { type: "boolean" } }, required: ["zone"] } } };
const tools = [weather, clock];
const ask = [{ role: "user" as const, content: "Weather in Paris?" }];

test("tool_choice required calls the first function with arguments valid against its parameters", async () => {
  const reply = await echo.client.chat.completions.create({ model: "echo-1", messages: ask, tools, tool_choice: "required" });
  const choice = reply.choices[0]!;
  expect(choice.finish_reason).toBe("tool_calls");
  expect(choice.message.content).toBeNull();
  expect(choice.message.tool_calls).toHaveLength(1);
  const call = choice.message.tool_calls![0]!;
  expect(call.id).toStartWith("call_");
  expect(call.type === "function" && call.function.name).toBe("get_weather");
  expect(call.type === "function" && JSON.parse(call.function.arguments)).toEqual({ city: "Weather in Paris?", days: 0, unit: "c" });
  expect(reply.usage!.completion_tokens).toBeGreaterThan(0);
});

test("tool_choice naming a function calls that one, with its required properties only", async () => {
  const reply = await echo.client.chat.completions.create({ model: "echo-1", messages: ask, tools, tool_choice: { type: "function", function: { name: "get_time" } } });
  const call = reply.choices[0]!.message.tool_calls![0]!;
  expect(call.type === "function" && [call.function.name, JSON.parse(call.function.arguments)]).toEqual(["get_time", { zone: "Weather in Paris?" }]);
});

test("auto answers text, unless the user says 'call tool' (the test fakes' convention); none never calls", async () => {
  const plain = await echo.client.chat.completions.create({ model: "echo-1", messages: ask, tools, tool_choice: "auto" });
  expect([plain.choices[0]!.message.content, plain.choices[0]!.finish_reason, plain.choices[0]!.message.tool_calls]).toEqual(["Echo: Weather in Paris?", "stop", undefined]);
  const asked = await echo.client.chat.completions.create({ model: "echo-1", messages: [{ role: "user", content: "please call tool" }], tools });
  expect(asked.choices[0]!.finish_reason).toBe("tool_calls");
  const none = await echo.client.chat.completions.create({ model: "echo-1", messages: [{ role: "user", content: "please call tool" }], tools, tool_choice: "none" });
  expect(none.choices[0]!.finish_reason).toBe("stop");
});

test("stream: id, type and name first with empty arguments, the arguments in several deltas, then finish tool_calls and usage", async () => {
  const stream = await echo.client.chat.completions.create({ model: "echo-1", messages: ask, tools, tool_choice: "required", stream: true, stream_options: { include_usage: true } });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
  expect(calls[0]).toEqual({ index: 0, id: expect.stringMatching(/^call_/), type: "function", function: { name: "get_weather", arguments: "" } });
  const rest = calls.slice(1);
  expect(rest.length).toBeGreaterThan(1);
  expect(rest.every((c) => c.index === 0 && c.id === undefined && c.function?.name === undefined)).toBe(true);
  expect(JSON.parse(rest.map((c) => c.function!.arguments).join(""))).toEqual({ city: "Weather in Paris?", days: 0, unit: "c" });
  expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("tool_calls");
  expect(chunks.at(-1)!.choices).toEqual([]);
  expect(chunks.at(-1)!.usage!.completion_tokens).toBe(rest.length);
});

test("the SDK's stream helper assembles the call", async () => {
  const stream = echo.client.chat.completions.stream({ model: "echo-1", messages: ask, tools, tool_choice: { type: "function", function: { name: "get_weather" } } });
  const final = await stream.finalChatCompletion();
  const call = final.choices[0]!.message.tool_calls![0]!;
  expect(call.type === "function" && JSON.parse(call.function.arguments).city).toBe("Weather in Paris?");
});

test("max_tokens (and max_completion_tokens) cut a call's arguments as OpenAI does: that many tokens, finish length, streamed alike", async () => {
  const full = await echo.client.chat.completions.create({ model: "echo-1", messages: ask, tools, tool_choice: "required" });
  const fullArgs = (full.choices[0]!.message.tool_calls![0]! as { function: { arguments: string } }).function.arguments;
  for (const cap of [{ max_tokens: 2 }, { max_completion_tokens: 2 }]) {
    const reply = await echo.client.chat.completions.create({ model: "echo-1", messages: ask, tools, tool_choice: "required", ...cap });
    const choice = reply.choices[0]!;
    const args = (choice.message.tool_calls![0]! as { function: { arguments: string } }).function.arguments;
    expect([reply.usage!.completion_tokens, choice.finish_reason, args]).toEqual([2, "length", fullArgs.slice(0, 16)]);
    const stream = await echo.client.chat.completions.create({ model: "echo-1", messages: ask, tools, tool_choice: "required", stream: true, stream_options: { include_usage: true }, ...cap });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const streamed = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).map((c) => c.function?.arguments ?? "").join("");
    expect([chunks.at(-1)!.usage, chunks.at(-2)!.choices[0]!.finish_reason, streamed]).toEqual([reply.usage, "length", args]);
  }
});
