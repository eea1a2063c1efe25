/**
 * The OpenAI fake (openai-chat-request.ts, openai.ts) and the echo vendor (infra/echo-vendor) read a
 * Chat Completions body alike, with the shared readers (infra/echo-vendor/openai-chat-readers.ts),
 * and refuse what OpenAI refuses in its words: a named function absent from tools, a message role or
 * content OpenAI does not take, messages empty or not an array, stream_options without stream.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readChatRequest as fakeRead } from "./openai-chat-request.ts";
import { readChatRequest as echoRead } from "../../infra/echo-vendor/chat-request.ts";
import { Refusal } from "./openai-compatible.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./openai.ts";

const messages = [{ role: "user", content: "hi" }];
const verdict = (r: unknown) => (r instanceof Refusal ? r.param : "accepted");
const both = (body: Record<string, unknown>) => [verdict(fakeRead({ model: "m", ...body })), verdict(echoRead({ model: "m", ...body }))];
const refusalOf = (r: unknown) => (r instanceof Refusal ? { message: r.message, param: r.param, code: r.code } : r);

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI({ port: 0 });
});
afterAll(() => fake.stop());
const post = async (body: Record<string, unknown>) => {
  const r = await fetch(`${fake.url}/v1/chat/completions`, { method: "POST", headers: { authorization: "Bearer test-openai-key", "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-4o", ...body }) });
  return [r.status, ((await r.json()) as { error?: unknown }).error];
};

test("a named function absent from tools: both refuse it naming tool_choice", () => {
  expect(both({ messages, tools: [{ type: "function", function: { name: "f" } }], tool_choice: { type: "function", function: { name: "g" } } })).toEqual(["tool_choice", "tool_choice"]);
  expect(both({ messages, tools: [{ type: "function", function: { name: "f" } }], tool_choice: { type: "function", function: { name: "f" } } })).toEqual(["accepted", "accepted"]);
});

test("a message role or content OpenAI does not take: both refuse it", () => {
  expect(both({ messages: [{ role: "usr", content: "hi" }] })).toEqual(["messages[0].role", "messages[0].role"]);
  expect(both({ messages: [{ content: "hi" }] })).toEqual(["messages[0].role", "messages[0].role"]);
  expect(both({ messages: [{ role: "user", content: 5 }] })).toEqual(["messages[0].content", "messages[0].content"]);
  expect(both({ messages: [{ role: "user", content: [{ text: "hi" }] }] })).toEqual(["messages[0].content[0].type", "messages[0].content[0].type"]);
  expect(both({ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" }, index: 0 }] }] })).toEqual(["messages[1].tool_calls[0].index", "messages[1].tool_calls[0].index"]);
  expect(both({ messages: [{ role: "developer", content: "be brief" }, { role: "user", content: [{ type: "text", text: "hi" }] }] })).toEqual(["accepted", "accepted"]);
});

test("messages empty or not an array: both refuse in OpenAI's words, the fake's server too", async () => {
  // OpenAI's answer to messages: [] (github.com/CopilotKit/CopilotKit/issues/529).
  const empty = { message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", param: "messages", code: "empty_array" };
  expect([refusalOf(fakeRead({ messages: [] })), refusalOf(echoRead({ messages: [] }))]).toEqual([empty, empty]);
  expect(both({ messages: "hi" })).toEqual(["messages", "messages"]);
  expect(both({})).toEqual(["messages", "messages"]);
  expect(await post({ messages: [] })).toEqual([400, { ...empty, type: "invalid_request_error" }]);
});

test("stream_options without stream: both refuse it as OpenAI does", async () => {
  // OpenAI's answer (github.com/BerriAI/litellm/issues/5803): param stream_options, code null.
  const refused = { message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param: "stream_options", code: null };
  for (const stream of [{}, { stream: false }]) {
    const body = { messages, stream_options: { include_usage: true }, ...stream };
    expect([refusalOf(fakeRead(body)), refusalOf(echoRead(body))]).toEqual([refused, refused]);
  }
  expect(both({ messages, stream: true, stream_options: { include_usage: true } })).toEqual(["accepted", "accepted"]);
  expect(both({ messages, stream_options: null })).toEqual(["accepted", "accepted"]);
  expect(await post({ messages, stream_options: { include_usage: true } })).toEqual([400, { ...refused, type: "invalid_request_error" }]);
});
