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
