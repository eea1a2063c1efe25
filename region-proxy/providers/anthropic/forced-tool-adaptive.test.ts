/**
 * Forced tool use beside reasoning_effort: Anthropic refuses it with a budget ("tool_choice options that
 * force tool use return an error with manual extended thinking (thinking: {type: "enabled"});
 * adaptive thinking supports forced tool use", Thinking in tool and multi-turn workflows; thinking is
 * then skipped and the answer starts with the call), except on Claude Fable 5.1, Mythos 5.1, Opus 5.5
 * and Sonnet 5.5, which refuse forced tool use outright (What's new in Claude Opus 5.5: "Forced tool
 * use returns an error"). So on Opus 4.7 to Claude 5.0, which think only adaptively, tool_choice
 * required or named and a JSON response_format (a forced tool) are sent; elsewhere a forced tool_choice
 * stays a 400 naming it, and a JSON response_format goes as Anthropic's JSON outputs (json-output.ts)
 * when its schema is closed, json_object (no schema to enforce) staying the 400 naming response_format.
 */
import { expect, test } from "bun:test";
import { readMessagesRequest } from "../../../test/fakes/anthropic-request.ts";
import { anthropicRefusal } from "../../testing/anthropic-refusal.ts";
import type { ChatRequest } from "../types.ts";
import { toAnthropicBody } from "./request.ts";

const tools = [{ type: "function", function: { name: "w", parameters: { type: "object" } } }];
const req = (f: Partial<ChatRequest>): ChatRequest => ({ model: "a", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw: { reasoning_effort: "low" }, ...f });
const built = (f: Partial<ChatRequest>, model: string) => {
  const body = toAnthropicBody(req(f), model);
  return { sent: body.tool_choice, thinking: (body.thinking as { type: string }).type };
};
const refused = (f: Partial<ChatRequest>, model: string) => anthropicRefusal(req(f), model)?.param;

test("Opus 4.7: tool_choice required or named, and a JSON response_format, are sent forced beside adaptive thinking", () => {
  expect(built({ tools, tool_choice: "required" }, "claude-opus-4-7")).toEqual({ sent: { type: "any" }, thinking: "adaptive" });
  expect(built({ tools, tool_choice: { type: "function", function: { name: "w" } } }, "claude-opus-4-7")).toEqual({ sent: { type: "tool", name: "w" }, thinking: "adaptive" });
  expect(built({ response_format: { type: "json_object" } }, "claude-opus-4-7")).toMatchObject({ sent: { type: "tool" }, thinking: "adaptive" });
});

test("a budget (Sonnet 4.5), and Claude 5.1 and later, refuse a forced tool_choice, and json_object, which JSON outputs cannot carry, naming the client's field; a closed schema goes as JSON outputs", () => {
  const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false };
  for (const model of ["claude-sonnet-4-5", "claude-opus-5-5", "claude-fable-5-1"]) {
    expect(refused({ tools, tool_choice: "required" }, model)).toBe("tool_choice");
    expect(refused({ response_format: { type: "json_object" } }, model)).toBe("response_format");
    const body = toAnthropicBody(req({ response_format: { type: "json_schema", json_schema: { name: "x", schema } } }), model);
    expect([model, body.tool_choice, (body.output_config as { format?: unknown }).format]).toEqual([model, undefined, { type: "json_schema", schema }]);
  }
});

test("the fake Anthropic takes forced tool use beside adaptive thinking, and refuses it beside a budget", () => {
  const body = (thinking: Record<string, unknown>, model: string) => ({
    model,
    max_tokens: 8192,
    thinking,
    tools: [{ name: "w", input_schema: { type: "object" } }],
    tool_choice: { type: "any" },
    messages: [{ role: "user", content: "hi" }],
  });
  const read = (b: Record<string, unknown>) => {
    const r = readMessagesRequest(b);
    return typeof r === "string" ? r : "accepted";
  };
  expect(read({ ...body({ type: "adaptive" }, "claude-opus-4-7"), output_config: { effort: "low" } })).toBe("accepted");
  expect(read(body({ type: "enabled", budget_tokens: 1024 }, "claude-sonnet-4-5"))).toBe("Thinking may not be enabled when tool_choice forces tool use.");
});
