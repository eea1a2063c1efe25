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

/** The indices the client sees for these deltas of choice 0 (and of choice 1 where [1, delta]). */
function indicesOut(deltas: (ToolCallDelta | [number, ToolCallDelta])[]): number[] {
  const calls = createStreamToolCalls();
  return deltas.map((d) => {
    const [choice, delta] = Array.isArray(d) ? d : [0, d];
    calls.take(choice, [delta]);
    return delta.index;
  });
}

test("each call keeps or gets its own index: OpenAI's unchanged, a new id with a name at a taken index the next one, other deltas to the call their index last started", () => {
  const args = (index: number) => ({ index, function: { arguments: "x" } });
  const named = (index: number, id: string) => ({ index, id, function: { name: "f", arguments: "" } });
  // OpenAI's: ids on first deltas only, indices in order (interleaved continuations too).
  expect(indicesOut([{ index: 0, id: "a" }, args(0), { index: 1, id: "b" }, args(1), args(0)])).toEqual([0, 0, 1, 1, 0]);
  // The same id repeated on every delta, or an empty one, is the same call.
  expect(indicesOut([{ index: 0, id: "a" }, { index: 0, id: "a" }, { index: 0, id: "" }, args(0)])).toEqual([0, 0, 0, 0]);
  // An id first seen after id-less deltas names the call they started.
  expect(indicesOut([args(0), { index: 0, id: "a" }, args(0)])).toEqual([0, 0, 0]);
  // Two calls under index 0, then the vendor's index 1: three calls.
  expect(indicesOut([named(0, "a"), args(0), named(0, "b"), args(0), { index: 1, id: "c" }, args(1)])).toEqual([0, 0, 1, 1, 2, 2]);
  // A new id without a name is the same call (vendors that change the id on every delta).
  expect(indicesOut([named(0, "a"), { index: 0, id: "b", function: { arguments: "x" } }, { index: 0, id: "c" }])).toEqual([0, 0, 0]);
  // A gap is closed; each choice counts its own calls.
  expect(indicesOut([{ index: 0, id: "a" }, { index: 2, id: "b" }, [1, { index: 0, id: "c" }], [1, named(0, "d")]])).toEqual([0, 1, 0, 1]);
});

test("a call's later ids (the same, or another without a name) go out removed: the client keeps its first", () => {
  const calls = createStreamToolCalls();
  const deltas: ToolCallDelta[] = [
    { index: 0, id: "call_1", function: { name: "f", arguments: "" } },
    { index: 0, id: "call_2", function: { arguments: "{" } },
    { index: 0, function: { arguments: "}" } },
    { index: 0, id: "call_3", function: { name: "", arguments: "" } },
  ];
  for (const delta of deltas) calls.take(0, [delta]);
  expect(deltas.map((d) => d.id)).toEqual(["call_1", undefined, undefined, undefined]);
});

test("the call a new id starts at a taken index gets its own type", () => {
  const calls = createStreamToolCalls();
  const first = { index: 0, id: "a", function: { name: "f", arguments: "{}" } };
  const second = { index: 0, id: "b", function: { name: "g", arguments: "{}" } };
  calls.take(0, [first, second]);
  expect([first, second]).toMatchObject([{ index: 0, type: "function" }, { index: 1, type: "function" }]);
});

test("a name that repeats what the call's deltas named, with the call's id again, goes out removed; a name sent in pieces goes on", () => {
  const calls = createStreamToolCalls();
  const deltas: ToolCallDelta[] = [
    { index: 0, id: "call_1", function: { name: "get_weather", arguments: "" } },
    { index: 0, id: "call_1", function: { name: "get_weather", arguments: "{}" } },
    { index: 1, id: "call_2", function: { name: "edit_ex", arguments: "" } },
    { index: 1, function: { name: "isting_file", arguments: "" } },
    { index: 1, id: "call_2", function: { name: "edit_existing_file", arguments: "{}" } },
    // Pieces equal to the name so far, the id sent once: the name "aa", not a repeat.
    { index: 2, id: "call_3", function: { name: "a", arguments: "" } },
    { index: 2, function: { name: "a", arguments: "{}" } },
  ];
  for (const delta of deltas) calls.take(0, [delta]);
  expect(deltas.map((d) => d.function?.name)).toEqual(["get_weather", undefined, "edit_ex", "isting_file", undefined, "a", "a"]);
});
