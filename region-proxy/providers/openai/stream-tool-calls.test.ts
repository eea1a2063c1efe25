import { expect, test } from "bun:test";
import { createStreamToolCalls, type ToolCallDelta } from "./stream-tool-calls.ts";

test("a call without type gets type function on its first delta with a function, per choice and index, and only there", () => {
  const calls = createStreamToolCalls();
  const deltas: [number, ToolCallDelta][] = [
    [0, { index: 0, id: "call_a" }], // no function yet: nothing to type
    [0, { index: 0, function: { name: "f", arguments: "" } }],
    [0, { index: 0, function: { arguments: "{}" } }],
    [1, { index: 0, id: "call_b", function: { name: "g", arguments: "" } }], // the same index in another choice
    [0, { index: 1, id: "call_c", function: { name: "h", arguments: "" } }],
    [0, { index: 2, id: "call_d", type: "function", function: { name: "i", arguments: "" } }], // typed by the vendor
    [0, { index: 2, function: { arguments: "{}" } }],
  ];
  for (const [choice, delta] of deltas) calls.take(choice, [delta]);
  expect(deltas.map(([, delta]) => delta.type)).toEqual([undefined, "function", undefined, "function", "function", "function", undefined]);
});
