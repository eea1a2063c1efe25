/**
 * A Chat Completions field of the wrong type or out of range is OpenAI's 400 naming it on the echo
 * vendor (npm start's provider), in the words the test fakes use (the same readers,
 * openai-chat-readers.ts): code that breaks against OpenAI must not pass against npm start.
 */
import { expect, test } from "bun:test";
import { useEchoVendor } from "./test-client.ts";

const echo = useEchoVendor();
const messages = [{ role: "user", content: "hi" }];
const tools = [{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } }];

const refusedWith = async (fields: Record<string, unknown>) => {
  const r = await echo.post("/v1/chat/completions", { model: "echo-1", messages, ...fields });
  return [r.status, ((await r.json()) as { error: unknown }).error];
};
const refusal = (message: string, param: string, code: string | null) => [400, { message, type: "invalid_request_error", param, code }];
const wrongType = (param: string, expected: string, got: string) => refusal(`Invalid type for '${param}': expected ${expected}, but got ${got} instead.`, param, "invalid_type");

test("wrongly typed tools, tool_choice, response_format and messages are OpenAI's invalid_type 400s", async () => {
  expect(await refusedWith({ tools: "x" })).toEqual(wrongType("tools", "an array", "a string"));
  expect(await refusedWith({ tools: [1], tool_choice: "required" })).toEqual(wrongType("tools[0]", "an object", "an integer"));
  expect(await refusedWith({ tools, tool_choice: 5 })).toEqual(wrongType("tool_choice", "one of a string or object", "an integer"));
  expect(await refusedWith({ tools, tool_choice: { type: "function" } })).toEqual(refusal("Missing required parameter: 'tool_choice.function'.", "tool_choice.function", "missing_required_parameter"));
  expect(await refusedWith({ response_format: "json" })).toEqual(wrongType("response_format", "an object", "a string"));
  expect(await refusedWith({ messages: "hi" })).toEqual(wrongType("messages", "an array", "a string"));
});

test("max_tokens and max_completion_tokens are integers of at least 1", async () => {
  for (const param of ["max_tokens", "max_completion_tokens"]) {
    expect(await refusedWith({ [param]: "5" })).toEqual(wrongType(param, "an integer", "a string"));
    expect(await refusedWith({ [param]: 0.5 })).toEqual(wrongType(param, "an integer", "a decimal"));
    expect(await refusedWith({ [param]: -5 })).toEqual(refusal(`Invalid '${param}': integer below minimum value. Expected a value >= 1, but got -5 instead.`, param, "integer_below_min_value"));
    expect(await refusedWith({ [param]: 0 })).toEqual(refusal(`Invalid '${param}': integer below minimum value. Expected a value >= 1, but got 0 instead.`, param, "integer_below_min_value"));
    expect((await refusedWith({ [param]: 1 }))[0]).toBe(200);
    expect((await refusedWith({ [param]: null }))[0]).toBe(200);
  }
});

test("as OpenAI: any tool_choice but 'none' needs tools, and tools may not be an empty array", async () => {
  const withoutTools = refusal("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", "tool_choice", null);
  expect(await refusedWith({ tool_choice: "auto" })).toEqual(withoutTools);
  expect(await refusedWith({ tool_choice: "required" })).toEqual(withoutTools);
  expect((await refusedWith({ tool_choice: "none" }))[0]).toBe(200);
  const empty = refusal("Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead.", "tools", "empty_array");
  expect(await refusedWith({ tools: [] })).toEqual(empty);
  expect(await refusedWith({ tools: [], tool_choice: "none" })).toEqual(empty);
  expect((await refusedWith({ tools, tool_choice: "auto" }))[0]).toBe(200);
});

test("as OpenAI: parallel_tool_calls, true or false, needs tools", async () => {
  const withoutTools = refusal("Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are specified.", "parallel_tool_calls", null);
  expect(await refusedWith({ parallel_tool_calls: true })).toEqual(withoutTools);
  expect(await refusedWith({ parallel_tool_calls: false })).toEqual(withoutTools);
  expect((await refusedWith({ parallel_tool_calls: null }))[0]).toBe(200);
  expect((await refusedWith({ tools, parallel_tool_calls: false }))[0]).toBe(200);
});
