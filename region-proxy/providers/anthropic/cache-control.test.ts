/**
 * Anthropic's cache_control, written on OpenAI messages and parts as LiteLLM takes it, reaches Anthropic
 * as its prompt-cache breakpoint on the block it marks (a part's block, a message's last block, a
 * tool message's one tool_result block), through a real proxy to the fake Anthropic, which caches the
 * prompt up to it: the first request reports the cache write, the same prompt again the read, and the
 * client sees them as OpenAI's cache_write_tokens and cached_tokens. What Anthropic would refuse, or the
 * gateway cannot price (a 1-hour cache write), is a 400 naming it before the call, and so is a
 * breakpoint on a part that sends no block.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let vendor: VendorBehindProxy;
beforeAll(async () => {
  vendor = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-sonnet-4-5" });
});
afterAll(() => vendor.stop());

const ephemeral = { type: "ephemeral" };
const image = "data:image/png;base64,iVBORw0KGgo=";
const hi = { role: "user", content: "hi" };
const send = (messages: unknown[], extra: Record<string, unknown> = {}) => sendChat(vendor, { model: "claude", messages, ...extra });

describe("anthropic: cache_control is sent as the breakpoint it asks for", () => {
  test("on a text or image_url part: on that part's block", async () => {
    const { sent } = await send([{ role: "user", content: [{ type: "text", text: "long document", cache_control: ephemeral }, { type: "image_url", image_url: { url: image }, cache_control: { type: "ephemeral", ttl: "5m" } }, { type: "text", text: "question" }] }]);
    expect(sent.messages[0].content).toEqual([
      { type: "text", text: "long document", cache_control: ephemeral },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" }, cache_control: { type: "ephemeral", ttl: "5m" } },
      { type: "text", text: "question" },
    ]);
  });

  test("on a message with string content, of any role: on the block it becomes", async () => {
    const { sent } = await send([
      { role: "system", content: "long instructions", cache_control: ephemeral },
      { role: "user", content: "long document", cache_control: ephemeral },
      { role: "assistant", content: "Read.", cache_control: ephemeral },
      hi,
    ]);
    expect(sent.system).toEqual([{ type: "text", text: "long instructions", cache_control: ephemeral }]);
    expect(sent.messages.slice(0, 2)).toEqual([
      { role: "user", content: [{ type: "text", text: "long document", cache_control: ephemeral }] },
      { role: "assistant", content: [{ type: "text", text: "Read.", cache_control: ephemeral }] },
    ]);
  });

  test("on a tool message, or on its last part: on its tool_result; on a message with parts: on its last block", async () => {
    const call = { id: "call_1", type: "function", function: { name: "lookup", arguments: "{}" } };
    const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: {} } } }];
    const { sent } = await send(
      [
        { role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }], cache_control: ephemeral },
        { role: "assistant", content: null, tool_calls: [call] },
        { role: "tool", tool_call_id: "call_1", content: [{ type: "text", text: "4" }, { type: "text", text: "2", cache_control: ephemeral }] },
      ],
      { tools },
    );
    expect(sent.messages[0].content).toEqual([{ type: "text", text: "a" }, { type: "text", text: "b", cache_control: ephemeral }]);
    expect(sent.messages[2].content).toEqual([{ type: "tool_result", tool_use_id: "call_1", content: [{ type: "text", text: "4" }, { type: "text", text: "2" }], cache_control: ephemeral }]);
  });

  test("four breakpoints, Anthropic's most, are sent; a part's and its message's on one block count once", async () => {
    const { sent } = await send([
      { role: "system", content: "s", cache_control: ephemeral },
      { role: "user", content: [{ type: "text", text: "a", cache_control: ephemeral }], cache_control: ephemeral },
      { role: "assistant", content: "b", cache_control: ephemeral },
      { role: "user", content: "c", cache_control: ephemeral },
    ]);
    expect([sent.system, ...sent.messages.map((m: { content: unknown[] }) => m.content)].flat().filter((b: { cache_control?: unknown }) => b.cache_control).length).toBe(4);
  });

  test("an assistant refusal part's cache_control goes with its text", async () => {
    const { sent } = await send([hi, { role: "assistant", content: [{ type: "refusal", refusal: "No.", cache_control: ephemeral }] }, hi]);
    expect(sent.messages[1].content).toEqual([{ type: "text", text: "No.", cache_control: ephemeral }]);
  });
});

describe("anthropic: cache_control Anthropic would refuse, or the gateway cannot price, is a 400 naming it", () => {
  test.each([
    ["a type other than ephemeral", [{ role: "user", content: [{ type: "text", text: "x", cache_control: { type: "persistent" } }] }], "messages[0].content[0].cache_control.type"],
    ["a ttl of 1h (billed at 2x input, the price table holds the 5-minute rate)", [{ role: "user", content: "x", cache_control: { type: "ephemeral", ttl: "1h" } }], "messages[0].cache_control.ttl"],
    ["another ttl", [{ role: "user", content: [{ type: "text", text: "x", cache_control: { type: "ephemeral", ttl: "10m" } }] }], "messages[0].content[0].cache_control.ttl"],
    ["a field it does not take", [{ role: "user", content: "x", cache_control: { type: "ephemeral", scope: "org" } }], "messages[0].cache_control.scope"],
    ["not an object", [{ role: "user", content: "x", cache_control: "ephemeral" }], "messages[0].cache_control"],
    ["on a whitespace-only part (no block is sent)", [{ role: "user", content: [{ type: "text", text: "x" }, { type: "text", text: " ", cache_control: ephemeral }] }], "messages[0].content[1].cache_control"],
    ["on a tool message's part before its last (its parts are one tool_result block)", [hi, { role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }] }, { role: "tool", tool_call_id: "c", content: [{ type: "text", text: "a", cache_control: ephemeral }, { type: "text", text: "b" }] }], "messages[2].content[0].cache_control"],
    ["on a blank system message", [{ role: "system", content: " ", cache_control: ephemeral }, hi], "messages[0].cache_control"],
    // Anthropic takes four; a fifth was its 400 after a vendor call (final read p1's finding 2).
    ["a fifth breakpoint in the request", [{ role: "system", content: "s", cache_control: ephemeral }, ...[1, 2, 3].map((n) => ({ role: n % 2 ? "user" : "assistant", content: `t${n}`, cache_control: ephemeral })), { role: "user", content: [{ type: "text", text: "a", cache_control: ephemeral }] }], "messages"],
  ])("%s", async (_what, messages, param) => {
    expect((await send(messages)).param).toBe(param);
  });
});

test("the fake caches up to the breakpoint: the first request reports the write, the same prompt again the read", async () => {
  const messages = [{ role: "system", content: "You answer questions about a long document. ".repeat(20), cache_control: ephemeral }, hi];
  const usageOf = async () => (await vendor.client.chat.completions.create({ model: "claude", messages } as never)).usage as unknown as { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number; cache_write_tokens?: number } };
  const first = await usageOf();
  const second = await usageOf();
  expect(first.prompt_tokens_details.cache_write_tokens).toBeGreaterThan(200);
  expect(first.prompt_tokens_details.cached_tokens).toBe(0);
  expect(second.prompt_tokens_details).toEqual({ cached_tokens: first.prompt_tokens_details.cache_write_tokens! });
  expect(second.prompt_tokens).toBe(first.prompt_tokens);
});
