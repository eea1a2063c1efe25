/**
 * A history written with OpenAI's deprecated function calling, as OpenAI's API and SDK types take it
 * (openai-python chat_completion_assistant_message_param.py: an assistant's content is "Required
 * unless `tool_calls` or `function_call` is specified"; chat_completion_function_message_param.py: a
 * function message's `content: Required[Optional[str]]`, null allowed): an assistant message holding
 * only its `function_call` (no content key at all) and a function message whose content is null are
 * valid, and an OpenAI-format deployment gets them as sent. The parser refused both naming `content`,
 * and the OpenAI fake refused the null function content, where OpenAI answers. Anthropic and Gemini
 * still refuse the call before sending, naming it (../providers/message-fields.ts), content or none.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeOpenAI } from "../../test/fakes/openai.ts";
import { readChatRequest } from "../../test/fakes/openai-chat-request.ts";
import { Refusal } from "../../test/fakes/openai-compatible.ts";
import { useTranslatingVendors } from "../testing/translating-vendors.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../testing/vendor-behind-proxy.ts";
import { parseChatRequest } from "./parse-request.ts";

const call = { role: "assistant", function_call: { name: "get_weather", arguments: '{"city":"Paris"}' } };
const history = [{ role: "user", content: "weather in Paris?" }, call, { role: "function", name: "get_weather", content: null }, { role: "user", content: "and tomorrow?" }];
const functions = [{ name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }];

const translating = useTranslatingVendors();
let openai: VendorBehindProxy;
beforeAll(async () => {
  openai = await startVendorBehindProxy({ provider: "openai", start: startFakeOpenAI, baseUrl: (f) => `${f.url}/v1` }, { m: "gpt-4o-mini" });
});
afterAll(() => openai?.stop());

test("the parser takes an assistant function_call without content and a function message with null content", () => {
  expect(parseChatRequest({ model: "m", messages: history, functions }).ok).toBe(true);
});

test("what a function message and an assistant without a call still need: content, as before", () => {
  expect(parseChatRequest({ model: "m", messages: [{ role: "assistant" }] })).toMatchObject({ ok: false, error: { param: "messages[0].content" } });
  expect(parseChatRequest({ model: "m", messages: [{ role: "assistant", function_call: null }] })).toMatchObject({ ok: false, error: { param: "messages[0].content" } });
  expect(parseChatRequest({ model: "m", messages: [{ role: "function", name: "f" }] })).toMatchObject({ ok: false, error: { param: "messages[0].content" } });
  expect(parseChatRequest({ model: "m", messages: [{ role: "user", content: null }] })).toMatchObject({ ok: false, error: { param: "messages[0].content" } });
});

/**
 * A function_call's shape (openai-python ChatCompletionAssistantMessageParam.FunctionCall: `name: str`
 * and `arguments: str`, both required): what stands in for content must be a call, so a string, a
 * number or an object without its name or arguments is refused naming it, content or none, as a tool
 * call's function is. OpenAI itself answers one "Missing required parameter:
 * 'messages[1].function_call.name'." (langchain-ai/langgraphjs#405), as the fake does.
 */
const malformedCalls: [unknown, string][] = [
  ["x", "function_call"],
  [5, "function_call"],
  [[], "function_call"],
  [{}, "function_call.name"],
  [{ name: 5, arguments: "{}" }, "function_call.name"],
  [{ name: "get_weather" }, "function_call.arguments"],
  [{ name: "get_weather", arguments: { city: "Paris" } }, "function_call.arguments"],
];

test.each(malformedCalls)("the parser refuses function_call %j naming messages[1].%s, content or none", (functionCall, field) => {
  for (const content of [undefined, null, "calling"]) {
    const message = { role: "assistant", function_call: functionCall, ...(content === undefined ? {} : { content }) };
    expect(parseChatRequest({ model: "m", messages: [history[0], message] })).toMatchObject({ ok: false, error: { kind: "invalid_value", param: `messages[1].${field}` } });
  }
});

test.each(malformedCalls)("the OpenAI fake refuses function_call %j naming messages[1].%s", (functionCall, field) => {
  const refused = readChatRequest({ model: "m", messages: [history[0], { role: "assistant", function_call: functionCall }] });
  expect(refused).toBeInstanceOf(Refusal);
  expect((refused as Refusal).param).toBe(`messages[1].${field}`);
});

test("missing arguments are told as the string each takes: JSON for a tool call, any string for a function_call", () => {
  const tool = { role: "assistant", tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather" } }] };
  const legacy = { role: "assistant", function_call: { name: "get_weather" } };
  expect(parseChatRequest({ model: "m", messages: [history[0], tool] })).toMatchObject({ ok: false, error: { message: "Invalid 'messages[1].tool_calls[0].function.arguments': expected a string of JSON." } });
  expect(parseChatRequest({ model: "m", messages: [history[0], legacy] })).toMatchObject({ ok: false, error: { message: "Invalid 'messages[1].function_call.arguments': expected a string." } });
});

test("a function_call with string name and arguments (empty arguments too) still stands in for content", () => {
  const empty = { role: "assistant", function_call: { name: "now", arguments: "" } };
  expect(parseChatRequest({ model: "m", messages: [history[0], empty] }).ok).toBe(true);
  expect(readChatRequest({ model: "m", messages: [history[0], empty] })).not.toBeInstanceOf(Refusal);
});

test("the OpenAI fake takes a function message with null content, as OpenAI does", () => {
  expect(readChatRequest({ model: "m", messages: history })).not.toBeInstanceOf(Refusal);
});

test("an OpenAI deployment gets the legacy history as sent", async () => {
  const out = await sendChat(openai, { model: "m", messages: history, functions });
  expect(out.refused).toBe(false);
  expect(out.sent.messages).toEqual(history);
  expect(out.sent.functions).toEqual(functions);
});

test.each(["anthropic", "gemini"] as const)("%s still refuses the assistant's function_call, naming it, when content is left out", async (vendor) => {
  const out = await sendChat(translating[vendor], { model: "m", messages: [history[0], call, { role: "user", content: "and tomorrow?" }] });
  expect(out).toMatchObject({ refused: true, param: "messages[1].function_call" });
});

test("an unknown role is refused naming every role the parser takes, the deprecated function role too", () => {
  const refused = parseChatRequest({ model: "m", messages: [{ role: "wizard", content: "hi" }] });
  if (refused.ok || refused.error.kind !== "invalid_value") throw new Error(`not refused as an invalid request: ${JSON.stringify(refused)}`);
  expect(refused.error.param).toBe("messages[0].role");
  const named = /expected one of ([a-z, ]+)\./.exec(refused.error.message)?.[1]?.split(", ") ?? [];
  expect(named).toContain("function");
  // Each role named is one the parser takes (with whatever else that role's message needs).
  for (const role of named) {
    const parsed = parseChatRequest({ model: "m", messages: [{ role, content: "x", ...(role === "tool" ? { tool_call_id: "c1" } : {}), ...(role === "function" ? { name: "f" } : {}) }] });
    expect([role, parsed.ok]).toEqual([role, true]);
  }
});
