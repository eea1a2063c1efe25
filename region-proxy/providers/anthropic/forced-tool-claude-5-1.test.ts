/**
 * Claude Opus 5.5, Sonnet 5.5, Fable 5.1 and Mythos 5.1 refuse forced tool use whatever the thinking
 * ("Forced tool use returns an error", What's new in Claude Opus 5.5 / Sonnet 5.5; "The first three also
 * apply on Claude Fable 5.1"). Without reasoning_effort the adapter used to send the client's `required`
 * or named tool_choice to Anthropic, whose 400 failed the fallback chain: it is a 400 naming tool_choice
 * before the call, whose message does not send the client to drop a reasoning_effort it did not send.
 * A JSON response_format, whose answer is a forced tool call elsewhere, goes there as Anthropic's JSON
 * outputs (output_config.format, json-output.ts) when its schema is closed; json_object (no schema to
 * enforce) and an open schema are the 400 naming response_format that says JSON outputs cannot carry
 * them; a Bedrock id, sent no JSON outputs, the 400 saying the forced tool is refused. The fake
 * Anthropic refuses forced tool use as Anthropic does.
 */
import { expect, test } from "bun:test";
import { readMessagesRequest } from "../../../test/fakes/anthropic-request.ts";
import { anthropicRefusal as refusal } from "../../testing/anthropic-refusal.ts";
import type { ChatRequest } from "../types.ts";
import { toAnthropicBody } from "./request.ts";

const tools = [{ type: "function", function: { name: "w", parameters: { type: "object" } } }] as ChatRequest["tools"];
const req = (f: Partial<ChatRequest>, raw: Record<string, unknown> = {}): ChatRequest => ({ model: "a", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw, ...f });
const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false };
const json = (s: Record<string, unknown>) => ({ type: "json_schema", json_schema: { name: "x", schema: s } }) as ChatRequest["response_format"];

for (const model of ["claude-opus-5-5", "claude-sonnet-5-5", "claude-fable-5-1", "claude-mythos-5-1", "anthropic.claude-opus-5-5"]) {
  test(`${model}: a forced tool_choice, without reasoning_effort, is a 400 naming it before the call`, () => {
    for (const choice of ["required", { type: "function", function: { name: "w" } }] as ChatRequest["tool_choice"][]) {
      const r = refusal(req({ tools, tool_choice: choice }), model);
      expect(r?.param).toBe("tool_choice");
      expect(r?.message).not.toContain("reasoning_effort");
    }
  });

  test(`${model}: json_object and an open schema are a 400 naming response_format, not sending to drop reasoning_effort`, () => {
    for (const format of [{ type: "json_object" }, json({ type: "object" }), json({ ...schema, additionalProperties: true })] as ChatRequest["response_format"][]) {
      const r = refusal(req({ response_format: format }), model);
      expect([format, r?.param]).toEqual([format, "response_format"]);
      expect(r?.message).not.toContain("reasoning_effort");
      // Current ids: JSON outputs cannot carry it; the Bedrock id: sent none, its forced JSON tool is refused.
      expect(r?.message).toContain(model.startsWith("anthropic.") ? "forced tool call, which it refuses" : "Anthropic's JSON outputs");
    }
  });

  test(`${model}: with reasoning_effort too the refusal names the field and does not say dropping reasoning_effort would help`, () => {
    const r = refusal(req({ tools, tool_choice: "required" }, { reasoning_effort: "low" }), model);
    expect(r?.param).toBe("tool_choice");
    expect(r?.message).not.toContain("reasoning_effort");
  });
}

test("a closed json_schema goes as output_config.format, with no tool, on Claude 5.1 and later", () => {
  for (const model of ["claude-opus-5-5", "claude-sonnet-5-5", "claude-fable-5-1", "claude-mythos-5-1"]) {
    const body = toAnthropicBody(req({ response_format: json(schema) }), model);
    expect([model, body.tools, body.tool_choice, body.output_config]).toEqual([model, undefined, undefined, { format: { type: "json_schema", schema } }]);
  }
});

test("tool_choice auto, and Claude before 5.1 or an id naming no version, are sent as before", () => {
  expect(toAnthropicBody(req({ tools, tool_choice: "auto" }), "claude-opus-5-5").tool_choice).toEqual({ type: "auto" });
  // Haiku 5.5: its breaking changes (What's new in Claude Haiku 5.5) name no forced-tool refusal.
  for (const model of ["claude-opus-5", "claude-sonnet-5", "claude-sonnet-4-5", "claude-sonnet-latest", "claude-haiku-5-5", "anthropic.claude-haiku-5-5-v1:0"]) {
    expect([model, toAnthropicBody(req({ tools, tool_choice: "required" }), model).tool_choice]).toEqual([model, { type: "any" }]);
  }
});

test("the fake Anthropic refuses a forced tool_choice on Claude 5.1 and later, thinking or not, and takes it before", () => {
  const body = (model: string) => ({ model, max_tokens: 100, tools: [{ name: "w", input_schema: { type: "object" } }], tool_choice: { type: "any" }, messages: [{ role: "user", content: "hi" }] });
  const read = (b: Record<string, unknown>) => {
    const r = readMessagesRequest(b);
    return typeof r === "string" ? r : "accepted";
  };
  for (const model of ["claude-opus-5-5", "claude-sonnet-5-5", "claude-fable-5-1"]) expect([model, read(body(model))]).toEqual([model, expect.stringContaining("forced tool use is not supported") as unknown as string]);
  expect(read({ ...body("claude-opus-5-5"), tool_choice: { type: "tool", name: "w" } })).toContain("forced tool use");
  for (const model of ["claude-opus-5", "claude-sonnet-4-5", "claude-haiku-5-5"]) expect([model, read(body(model))]).toEqual([model, "accepted"]);
});
