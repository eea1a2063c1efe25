/**
 * Tool messages followed by a user message (an agent's tool results, then the user's next words or a
 * note beside them) were merged into one user content of functionResponse and text or image parts.
 * Gemini 3 models refuse a content in which another kind of part follows a functionResponse part, with
 * a misleading 400 "Requests ending with a model turn are not supported." (seen on Vertex with
 * gemini-3.6 to 3.8 flash; disputed for the Gemini API and earlier gemini-3 models:
 * test/fakes/gemini-function-responses.ts), and take the same parts as consecutive user contents. The functionResponse parts are now a content of
 * their own; the answers to one call turn stay together in it, as Gemini counts them against the calls.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";
import type { ChatMessage } from "../types.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { convertMessages } from "./messages.ts";

const call = (id: string) => ({ id, type: "function" as const, function: { name: "lookup", arguments: "{}" } });
const answer = (id: string, content: string) => ({ functionResponse: { id, name: "lookup", response: { content } } });

test("tool results then a user message: the results are one content, the user's parts the next", () => {
  const { contents } = convertMessages([
    { role: "user", content: "look both up" },
    { role: "assistant", content: null, tool_calls: [call("c1"), call("c2")] },
    { role: "tool", tool_call_id: "c1", content: "one" },
    { role: "tool", tool_call_id: "c2", content: "two" },
    { role: "user", content: [{ type: "text", text: "and this image?" }, { type: "image_url", image_url: { url: "https://example.com/a.png" } }] },
  ] as ChatMessage[]);
  expect(contents.slice(2)).toEqual([
    { role: "user", parts: [answer("c1", "one"), answer("c2", "two")] },
    { role: "user", parts: [{ text: "and this image?" }, { fileData: { mimeType: "image/png", fileUri: "https://example.com/a.png" } }] },
  ]);
});

test("two user messages in a row are still one content", () => {
  const { contents } = convertMessages([{ role: "user", content: "one" }, { role: "user", content: "two" }] as ChatMessage[]);
  expect(contents).toEqual([{ role: "user", parts: [{ text: "one" }, { text: "two" }] }]);
});

/**
 * A user message among the answers to one call turn would split them over two contents, and Gemini
 * counts the first against the calls: "Please ensure that the number of function response parts is
 * equal to the number of function call parts of the function call turn." (microsoft/vscode#299295).
 * OpenAI refuses this order too; it is refused before the call, naming the calls left unanswered, as
 * the Anthropic adapter does (checkToolPairing).
 */
test("a user message between the answers to one call turn is refused, naming its tool_calls", () => {
  let thrown: unknown;
  try {
    convertMessages([
      { role: "user", content: "look both up" },
      { role: "assistant", content: null, tool_calls: [call("c1"), call("c2")] },
      { role: "tool", tool_call_id: "c1", content: "one" },
      { role: "user", content: "note" },
      { role: "tool", tool_call_id: "c2", content: "two" },
    ] as ChatMessage[]);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(UnsupportedParameterError);
  expect((thrown as UnsupportedParameterError).param).toBe("messages[1].tool_calls");
  expect((thrown as Error).message).toContain("unanswered: c2");
});

/**
 * Through the proxy to the fake Gemini, which on gemini-3 models refuses a part after a functionResponse
 * in its content, on every gemini-3* model (what the Vertex reports agree on; it takes text before the
 * functionResponse parts, which one report saw refused and the proxy never sends:
 * test/fakes/gemini-function-responses.ts): the proxy's split request is taken.
 */
describe("through the proxy to a gemini-3 model", () => {
  let vp: VendorBehindProxy;
  let direct: FakeVendor;
  beforeAll(async () => {
    [vp, direct] = await Promise.all([startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { g3: "gemini-3-flash-preview" }), startFakeGemini({ apiKey: "k" })]);
  });
  afterAll(async () => {
    await Promise.all([vp?.stop(), direct?.stop()]);
  });

  test("the fake refuses a part after a functionResponse in its content on gemini-3 only, in Gemini 3's words", async () => {
    const post = (model: string, contents: unknown[]) =>
      fetch(`${direct.url}/v1beta/models/${model}:generateContent`, { method: "POST", headers: { "x-goog-api-key": "k", "content-type": "application/json" }, body: JSON.stringify({ contents }) });
    const turns = [{ role: "user", parts: [{ text: "look up" }] }, { role: "model", parts: [{ functionCall: { name: "lookup", args: {} }, thoughtSignature: "skip_thought_signature_validator" }] }];
    const response = { functionResponse: { name: "lookup", response: { content: "one" } } };
    const mixed = await post("gemini-3-flash-preview", [...turns, { role: "user", parts: [response, { text: "and?" }] }]);
    expect([mixed.status, await mixed.json()]).toEqual([400, { error: { code: 400, message: "Requests ending with a model turn are not supported.", status: "INVALID_ARGUMENT" } }]);
    expect((await post("gemini-2.5-flash", [...turns, { role: "user", parts: [response, { text: "and?" }] }])).status).toBe(200);
    expect((await post("gemini-3-flash-preview", [...turns, { role: "user", parts: [response] }, { role: "user", parts: [{ text: "and?" }] }])).status).toBe(200);
    // Only a part after a functionResponse is refused: text before it is taken (deepnoodle-ai/dive#287, google/oss-rebuild#1559).
    expect((await post("gemini-3-flash-preview", [...turns, { role: "user", parts: [{ text: "first:" }, response] }])).status).toBe(200);
  });

  /**
   * Gemini counts the functionResponse parts of the content after a call turn against its functionCall
   * parts, on every model: "Please ensure that the number of function response parts is equal to the
   * number of function call parts of the function call turn." (google-gemini/gemini-cli#2347, #6418,
   * #4217, #16415).
   */
  test("the fake refuses a call turn whose next content does not answer each call, on any model", async () => {
    const post = (model: string, contents: unknown[]) =>
      fetch(`${direct.url}/v1beta/models/${model}:generateContent`, { method: "POST", headers: { "x-goog-api-key": "k", "content-type": "application/json" }, body: JSON.stringify({ contents }) });
    const fc = (id: string) => ({ functionCall: { id, name: "lookup", args: {} } });
    const fr = (id: string) => ({ functionResponse: { id, name: "lookup", response: { content: id } } });
    const turns = [{ role: "user", parts: [{ text: "look both up" }] }, { role: "model", parts: [{ text: "on it" }, fc("a"), fc("b")] }];
    const split = await post("gemini-2.5-flash", [...turns, { role: "user", parts: [fr("a")] }, { role: "user", parts: [{ text: "note" }] }, { role: "user", parts: [fr("b")] }]);
    expect([split.status, await split.json()]).toEqual([400, { error: { code: 400, message: "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.", status: "INVALID_ARGUMENT" } }]);
    expect((await post("gemini-2.5-flash", [...turns, { role: "user", parts: [fr("a"), fr("b"), fr("b")] }])).status).toBe(400);
    expect((await post("gemini-2.5-flash", [...turns, { role: "user", parts: [{ text: "and?" }] }])).status).toBe(400);
    expect((await post("gemini-2.5-flash", [...turns, { role: "user", parts: [fr("a"), fr("b")] }, { role: "user", parts: [{ text: "note" }] }])).status).toBe(200);
  });

  test("a parallel tool conversation reaches Gemini 3 with each call turn answered in the next content", async () => {
    const { refused, sent } = await sendChat(vp, {
      model: "g3",
      messages: [
        { role: "user", content: "look both up" },
        { role: "assistant", content: "on it", tool_calls: [call("c1"), call("c2")] },
        { role: "tool", tool_call_id: "c1", content: "one" },
        { role: "tool", tool_call_id: "c2", content: "two" },
        { role: "assistant", content: null, tool_calls: [call("c3")] },
        { role: "tool", tool_call_id: "c3", content: "three" },
        { role: "user", content: "and now?" },
      ],
    });
    expect(refused).toBe(false);
    expect(sent.contents.slice(2).map((c: { role: string; parts: unknown[] }) => [c.role, c.parts.length])).toEqual([["user", 2], ["model", 1], ["user", 1], ["user", 1]]);
  });

  test("tool results then a user message reach Gemini 3 as two contents and are answered", async () => {
    const { refused, sent } = await sendChat(vp, {
      model: "g3",
      messages: [
        { role: "user", content: "look it up" },
        { role: "assistant", content: null, tool_calls: [call("c1")] },
        { role: "tool", tool_call_id: "c1", content: "one" },
        { role: "user", content: "and this?" },
      ],
    });
    expect(refused).toBe(false);
    expect(sent.contents.slice(2)).toEqual([
      { role: "user", parts: [answer("c1", "one")] },
      { role: "user", parts: [{ text: "and this?" }] },
    ]);
  });
});
