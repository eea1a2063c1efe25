/**
 * The Anthropic fake refuses tool names as Anthropic does: a tool's name outside
 * ^[a-zA-Z0-9_-]{1,128}$ ("tools.0.custom.name: String should match pattern"), a tool_use block's
 * name outside 1 to 200 characters; a dotted name in a tool_use block is taken.
 */
import { expect, test } from "bun:test";
import { readMessagesRequest } from "./anthropic-request.ts";

const request = (extra: Record<string, unknown>) => readMessagesRequest({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }], ...extra });
const tool = (name: string) => ({ name, input_schema: { type: "object" } });
const calling = (name: string) => [
  { role: "user", content: "go" },
  { role: "assistant", content: [{ type: "tool_use", id: "c1", name, input: {} }] },
  { role: "user", content: [{ type: "tool_result", tool_use_id: "c1" }] },
];

test("a tool name with a dot, or over 128 characters, is Anthropic's 400 naming it", () => {
  expect(request({ tools: [tool("ok"), tool("calendar.list_events")] })).toBe("tools.1.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'");
  expect(request({ tools: [tool("x".repeat(129))] })).toBe("tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'");
  expect(request({ tools: [tool("get-weather_2"), tool("x".repeat(128))] })).toMatchObject({ tools: ["get-weather_2", "x".repeat(128)] });
});

test("a tool_use block's name: any 1 to 200 characters", () => {
  // A request with tool_use blocks must define tools; the called one need not be among them.
  expect(request({ messages: calling("calendar.list_events"), tools: [tool("other")] })).toMatchObject({ model: "m" });
  expect(request({ messages: calling("") })).toBe("messages.1.content.0.tool_use.name: String should have at least 1 character");
  expect(request({ messages: calling("x".repeat(201)) })).toBe("messages.1.content.0.tool_use.name: String should have at most 200 characters");
});
