/**
 * Requests OpenAI refuses with a 400 are refused by the echo vendor too, in OpenAI's words: answered
 * 200 against `npm start`, they fail only in production.
 */
import { expect, test } from "bun:test";
import { useEchoVendor } from "./test-client.ts";

const echo = useEchoVendor();
const messages = [{ role: "user", content: "hi" }];
const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }];

async function refusal(body: object): Promise<[number, unknown]> {
  const res = await echo.post("/v1/chat/completions", { model: "echo-1", messages, ...body });
  return [res.status, ((await res.json()) as { error?: unknown }).error];
}

test("top_logprobs without logprobs: true is OpenAI's 400 naming top_logprobs", async () => {
  const error = { message: "The 'top_logprobs' parameter is only allowed when 'logprobs' is enabled.", type: "invalid_request_error", param: "top_logprobs", code: null };
  expect(await refusal({ top_logprobs: 2 })).toEqual([400, error]);
  expect(await refusal({ top_logprobs: 2, logprobs: false })).toEqual([400, error]);
  expect((await refusal({ top_logprobs: 2, logprobs: true }))[0]).toBe(200);
});

test("a tool_choice that forces a call with no tools is OpenAI's 400 naming tool_choice", async () => {
  const error = { message: "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", type: "invalid_request_error", param: "tool_choice", code: null };
  expect(await refusal({ tool_choice: "required" })).toEqual([400, error]);
  expect(await refusal({ tool_choice: { type: "function", function: { name: "get_weather" } } })).toEqual([400, error]);
  expect((await refusal({ tool_choice: "none" }))[0]).toBe(200);
});

test("a tool_choice naming a function absent from tools is a 400 naming tool_choice, not a call to a function nobody declared", async () => {
  const [status, error] = await refusal({ tools, tool_choice: { type: "function", function: { name: "get_time" } } });
  expect([status, error]).toEqual([400, { message: "Invalid value for 'tool_choice': function 'get_time' not found in 'tools'.", type: "invalid_request_error", param: "tool_choice", code: null }]);
  expect((await refusal({ tools, tool_choice: { type: "function", function: { name: "get_weather" } } }))[0]).toBe(200);
});
