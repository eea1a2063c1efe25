import { expect, test } from "bun:test";
import { VendorProtocolError } from "../types.ts";
import { checkToolCalls } from "./check-tool-calls.ts";

const call = { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } };

test("tool calls the SDK can take pass: function calls, custom calls, none", () => {
  for (const toolCalls of [undefined, null, [], [call], [call, { id: "call_2", type: "function", function: { name: "f", arguments: "" } }], [{ id: "call_3", type: "custom", custom: { name: "grep", input: "x" } }]]) {
    expect(() => checkToolCalls(toolCalls)).not.toThrow();
  }
});

test("arguments that are not a string (a number, an object, null, absent) are a protocol error, never passed to the client", () => {
  for (const args of [5, { city: "Paris" }, null, undefined, ["a"], true]) {
    expect(() => checkToolCalls([{ ...call, function: { name: "get_weather", arguments: args } }])).toThrow(VendorProtocolError);
  }
});

test("an id, type, function or name the SDK cannot take is a protocol error", () => {
  const broken = [
    { ...call, id: 7 },
    { type: call.type, function: call.function },
    { ...call, type: "tool" },
    { id: call.id, type: null, function: null },
    { id: call.id, custom: { name: "grep", input: "x" } },
    { ...call, function: null },
    { ...call, function: '{"name":"f"}' },
    { ...call, function: { name: 5, arguments: "{}" } },
    { ...call, function: { arguments: "{}" } },
    { id: "call_3", type: "custom", custom: { name: "grep", input: { q: 1 } } },
    null,
    "call_1",
  ];
  for (const bad of broken) expect(() => checkToolCalls([call, bad])).toThrow(VendorProtocolError);
  expect(() => checkToolCalls(call)).toThrow(VendorProtocolError);
  expect(() => checkToolCalls("[]")).toThrow(VendorProtocolError);
});

test("a function call with no type (absent or null), as some OpenAI-compatible servers send it, passes and is given type function", () => {
  const untyped: { id: string; type?: string | null; function: unknown }[] = [{ id: "call_1", function: { ...call.function } }, { id: "call_2", type: null, function: { ...call.function } }];
  expect(() => checkToolCalls(untyped)).not.toThrow();
  expect(untyped.map((c) => c.type)).toEqual(["function", "function"]);
  expect(() => checkToolCalls([{ id: "call_3", function: { name: "f", arguments: 5 } }])).toThrow(VendorProtocolError);
});
