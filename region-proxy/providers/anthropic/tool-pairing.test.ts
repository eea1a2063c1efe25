/**
 * Anthropic pairs tool calls and results strictly: every tool_result answers a tool_use of the
 * message just before it ("unexpected `tool_use_id` found in `tool_result` blocks"), at most once
 * ("each tool_use must have a single result"), and every tool_use is answered in the next message
 * ("`tool_use` ids were found without `tool_result` blocks immediately after"). A conversation that
 * breaks this (OpenAI refuses it too) is refused by the adapter before the call, naming the OpenAI
 * field: the tool message's tool_call_id, or the assistant message's tool_calls left unanswered.
 * Through the proxy to the fake Anthropic, read through the official SDK; and the fake's own
 * refusals, in Anthropic's words.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let vp: VendorBehindProxy;
let direct: FakeVendor;
beforeAll(async () => {
  [vp, direct] = await Promise.all([startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" }), startFakeAnthropic({ apiKey: "k" })]);
});
afterAll(async () => {
  await Promise.all([vp?.stop(), direct?.stop()]);
});

const call = (id: string) => ({ id, type: "function", function: { name: "weather", arguments: "{}" } });
const ask = { role: "user", content: "weather?" };
const calls = (...ids: string[]) => ({ role: "assistant", content: null, tool_calls: ids.map(call) });
const answer = (id: string) => ({ role: "tool", tool_call_id: id, content: "sunny" });
const tools = [{ type: "function", function: { name: "weather", parameters: { type: "object", properties: {} } } }];

const REFUSED: Array<[string, unknown[], string]> = [
  ["a tool message with no assistant message before it", [{ role: "tool", tool_call_id: "c", content: "x" }], "messages[0].tool_call_id"],
  ["a tool message answering no call of the assistant message before it", [ask, calls("a"), answer("b")], "messages[2].tool_call_id"],
  ["a tool message answering a call of an older assistant message", [ask, calls("a"), answer("a"), { role: "assistant", content: "Sunny." }, answer("a")], "messages[4].tool_call_id"],
  ["a tool message after a user message", [ask, calls("a"), answer("a"), { role: "user", content: "and?" }, answer("a")], "messages[4].tool_call_id"],
  ["a second answer to one call", [ask, calls("a"), answer("a"), answer("a")], "messages[3].tool_call_id"],
  ["a call left unanswered at the end", [ask, calls("a", "b"), answer("a")], "messages[1].tool_calls"],
  ["a call left unanswered before a user message", [ask, calls("a"), { role: "user", content: "never mind" }], "messages[1].tool_calls"],
  ["a call left unanswered before an assistant message", [ask, calls("a"), { role: "assistant", content: "Hmm." }, { role: "user", content: "well?" }], "messages[1].tool_calls"],
  ["a conversation ending on the calls", [ask, calls("a")], "messages[1].tool_calls"],
];

describe("anthropic: tool messages must answer the calls of the assistant message just before them", () => {
  for (const [name, messages, param] of REFUSED) {
    test(`${name} is a 400 naming ${param}, without a vendor call`, async () => {
      expect(await sendChat(vp, { model: "claude", messages, tools })).toMatchObject({ refused: true, param });
    });
  }

  test("streamed too, the message naming the unmatched or unanswered ids", async () => {
    const error = (messages: unknown[]) =>
      vp.client.chat.completions.create({ model: "claude", messages, tools, stream: true } as never).then(() => null, (e: unknown) => e as { status: number; param: string; message: string });
    const orphan = await error([ask, calls("a"), answer("zz_9")]);
    expect(orphan).toMatchObject({ status: 400, param: "messages[2].tool_call_id" });
    expect(orphan!.message).toContain("zz_9");
    const unanswered = await error([ask, calls("a", "b_7", "c_8"), answer("a")]);
    expect(unanswered).toMatchObject({ status: 400, param: "messages[1].tool_calls" });
    expect(unanswered!.message).toContain("b_7, c_8");
  });

  test("answers in any order, then a user message, are sent as one user turn after the calls", async () => {
    const { refused, sent } = await sendChat(vp, { model: "claude", messages: [ask, calls("a", "b"), answer("b"), answer("a"), { role: "user", content: "thanks" }], tools });
    expect(refused).toBe(false);
    expect(sent.messages[1].content.map((b: { id: string }) => b.id)).toEqual(["a", "b"]);
    expect(sent.messages[2].content.map((b: { type: string; tool_use_id?: string }) => b.tool_use_id ?? b.type)).toEqual(["b", "a", "text"]);
  });

  test("a system message between the calls and their answers is taken (it becomes system text)", async () => {
    const { refused } = await sendChat(vp, { model: "claude", messages: [ask, calls("a"), { role: "system", content: "Be brief." }, answer("a")], tools });
    expect(refused).toBe(false);
  });

  test("a second round of calls is answered after its own assistant message", async () => {
    const { refused } = await sendChat(vp, { model: "claude", messages: [ask, calls("a"), answer("a"), calls("b"), answer("b")], tools });
    expect(refused).toBe(false);
  });
});

describe("the fake Anthropic pairs tool_use and tool_result as Anthropic does", () => {
  const post = async (messages: unknown[]) => {
    const res = await fetch(`${direct.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "claude-fake", max_tokens: 5, messages, tools: [{ name: "w", input_schema: { type: "object" } }] }),
    });
    return { status: res.status, body: (await res.json()) as { type: string; error?: { type: string; message: string } } };
  };
  const user = { role: "user", content: "weather?" };
  const uses = (...ids: string[]) => ({ role: "assistant", content: ids.map((id) => ({ type: "tool_use", id, name: "w", input: {} })) });
  const results = (...ids: string[]) => ({ role: "user", content: ids.map((id) => ({ type: "tool_result", tool_use_id: id, content: "sunny" })) });
  const refusal = (message: string) => ({ status: 400, body: { type: "error", error: { type: "invalid_request_error", message } } });
  const unexpected = (at: string, id: string) =>
    `${at}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
  const withoutResult = (at: string, ids: string) =>
    `${at}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${ids}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;

  test("a tool_result with no tool_use in the message before it", async () => {
    expect(await post([results("x")])).toMatchObject(refusal(unexpected("messages.0.content.0", "x")));
    expect(await post([user, uses("a"), { role: "user", content: [{ type: "tool_result", tool_use_id: "a" }, { type: "tool_result", tool_use_id: "b" }] }])).toMatchObject(
      refusal(unexpected("messages.2.content.1", "b")),
    );
    expect(await post([user, uses("a"), results("a"), { role: "assistant", content: "ok" }, results("a")])).toMatchObject(refusal(unexpected("messages.4.content.0", "a")));
  });

  test("a tool_use not answered in the next message, or at the end", async () => {
    expect(await post([user, uses("a", "b", "c"), results("b")])).toMatchObject(refusal(withoutResult("messages.1", "a, c")));
    expect(await post([user, uses("a"), { role: "user", content: "never mind" }])).toMatchObject(refusal(withoutResult("messages.1", "a")));
    expect(await post([user, uses("a")])).toMatchObject(refusal(withoutResult("messages.1", "a")));
  });

  test("two tool_results for one tool_use", async () => {
    expect(await post([user, uses("a"), results("a", "a")])).toMatchObject(
      refusal("messages.2.content.1: each tool_use must have a single result. Found multiple `tool_result` blocks with id: a"),
    );
  });

  test("every tool_use answered in the next message, in any order and with text after, is taken", async () => {
    const next = { role: "user", content: [...results("b", "a").content, { type: "text", text: "thanks" }] };
    expect((await post([user, uses("a", "b"), next])).status).toBe(200);
  });
});
