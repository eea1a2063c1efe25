/**
 * Beside a thinking budget on a model that takes forced tool use without one (Claude 4.5 and 4.6), a JSON response_format JSON outputs cannot carry (json_object: no schema; an open object; recursion) is the
 * 400 naming response_format that says to drop one of the two: the budget is what refuses the forced JSON
 * tool, not the model, which takes it without reasoning_effort. It said the model cannot be forced to
 * call the tool and to use another model. It also says that a json_schema JSON outputs can express goes beside
 * the budget (as them) where the model takes them, and only there: not on an older Claude nor a Bedrock id.
 */
import { expect, test } from "bun:test";
import { anthropicRefusal as refusal } from "../../testing/anthropic-refusal.ts";
import type { ChatRequest } from "../types.ts";

const req = (response_format: unknown, raw: Record<string, unknown>): ChatRequest =>
  ({ model: "a", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw, response_format }) as ChatRequest;
const open = { type: "json_schema", json_schema: { name: "x", schema: { type: "object", properties: {}, additionalProperties: true } } };
// Every object closed, refused for its recursion: the words must not say closing is all it takes.
const recursive = { type: "json_schema", json_schema: { name: "x", schema: { type: "object", properties: { kids: { type: "array", items: { $ref: "#" } } }, required: ["kids"], additionalProperties: false } } };

for (const model of ["claude-sonnet-4-5", "claude-opus-4-6", "claude-haiku-4-5"]) {
  test(`${model} with reasoning_effort: json_object, an open or a recursive schema is the 400 saying to drop one of the two`, () => {
    for (const format of [{ type: "json_object" }, open, recursive]) {
      const r = refusal(req(format, { reasoning_effort: "low" }), model);
      expect([model, r?.param]).toEqual([model, "response_format"]);
      expect(r?.message).toContain("Drop one of the two");
      expect(r?.message).not.toContain("another model");
      expect(r?.message).not.toContain("cannot be forced to call the tool");
      // What does go beside the budget on these models: a json_schema JSON outputs can express, as them.
      expect(r?.message).toContain("or send response_format json_schema with a schema JSON outputs can express (every object closed with additionalProperties false, no recursion)");
      // Without reasoning_effort it is the forced JSON tool.
      expect(refusal(req(format, {}), model)).toBeNull();
    }
  });
}

test("Opus 5.5, which refuses forced tool use itself, keeps the words sending to another model", () => {
  const r = refusal(req({ type: "json_object" }, {}), "claude-opus-5-5");
  expect([r?.param, r?.message]).toEqual(["response_format", expect.stringContaining("another model") as unknown as string]);
});

test("beside a budget on a Claude or an id without JSON outputs, the words do not offer a closed json_schema", () => {
  const closed = { type: "json_schema", json_schema: { name: "x", schema: { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false } } };
  for (const model of ["claude-sonnet-4-20250514", "claude-3-7-sonnet-latest", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"]) {
    for (const format of [{ type: "json_object" }, closed]) {
      const r = refusal(req(format, { reasoning_effort: "low" }), model);
      expect([model, r?.param]).toEqual([model, "response_format"]);
      expect(r?.message).toContain("Drop one of the two");
      expect(r?.message).not.toContain("json_schema");
    }
  }
});
