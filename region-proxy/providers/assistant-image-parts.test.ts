/**
 * An image part in an assistant message (OpenAI's spec has only text and refusal parts there, but
 * clients replaying multimodal histories send them, run-llama/llama_index#18495). Anthropic refuses
 * it after the call, in its own numbering: "messages.1.content: 'image' blocks are not permitted
 * within assistant turns." (epam/ai-dial-adapter-bedrock#306), a permanent 400 that ended a fallback
 * walk. The Anthropic adapter now refuses it before the call naming the client's part, as it names
 * every other part Anthropic cannot take, and the Anthropic fake refuses the block as Anthropic does.
 * OpenAI answers it with its own 400 ("Invalid 'messages[2]'. Image URLs are only allowed for messages
 * with role 'user', but this message with role 'assistant' contains an image URL.",
 * openai/openai-node#1030; role 'tool' alike, OpenHands/OpenHands#7700): OpenAI-format deployments get
 * the body as sent and the vendor answers, which the OpenAI fake now models. Gemini takes images in
 * `model` turns (its multi-turn image editing replays the model's images there), so they are sent.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { startFakeAnthropic } from "../../test/fakes/anthropic.ts";
import { readMessagesRequest } from "../../test/fakes/anthropic-request.ts";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import { startFakeOpenAI } from "../../test/fakes/openai.ts";
import { readChatRequest } from "../../test/fakes/openai-chat-request.ts";
import { Refusal } from "../../test/fakes/openai-compatible.ts";
import { createProxyFixture, REGION } from "../testing/proxy-fixture.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../testing/vendor-behind-proxy.ts";
import { ONE_PIXEL_PNG as PNG_DATA } from "./testing/one-pixel-png.ts";

const PNG = `data:image/png;base64,${PNG_DATA}`;
const history = [
  { role: "system", content: "be brief" },
  { role: "user", content: "draw me a dot" },
  { role: "assistant", content: [{ type: "text", text: "Here:" }, { type: "image_url", image_url: { url: PNG } }] },
  { role: "user", content: "what colour is it?" },
];

let anthropic: VendorBehindProxy;
let gemini: VendorBehindProxy;
let openai: VendorBehindProxy;
beforeAll(async () => {
  anthropic = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { m: "claude-sonnet-4-5" });
  gemini = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { m: "gemini-2.5-flash" });
  openai = await startVendorBehindProxy({ provider: "openai", start: startFakeOpenAI, baseUrl: (f) => `${f.url}/v1` }, { m: "gpt-4o-mini" });
});
afterAll(async () => {
  for (const vendor of [anthropic, gemini, openai]) await vendor?.stop();
});

describe("anthropic", () => {
  test("an image part in an assistant message is a 400 naming it, before the call", async () => {
    expect(await sendChat(anthropic, { model: "m", messages: history })).toMatchObject({ refused: true, param: "messages[2].content[1].type" });
  });

  test("an image part in a user message is still sent", async () => {
    const r = await sendChat(anthropic, { model: "m", messages: [{ role: "user", content: [{ type: "text", text: "what colour?" }, { type: "image_url", image_url: { url: PNG } }] }] });
    expect(r.sent.messages[0].content[1]).toEqual({ type: "image", source: { type: "base64", media_type: "image/png", data: PNG_DATA } });
  });

  test("the fake refuses an image block in an assistant turn, as Anthropic does", () => {
    const problem = readMessagesRequest({
      model: "claude-fake",
      max_tokens: 10,
      messages: [
        { role: "user", content: "draw me a dot" },
        { role: "assistant", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: PNG_DATA } }] },
        { role: "user", content: "what colour?" },
      ],
    });
    expect(problem).toBe("messages.1.content: 'image' blocks are not permitted within assistant turns.");
  });

  // Reached by fallback, a deployment that refuses a parameter before the call is skipped (walk-chain.ts):
  // the walk answers the first deployment's failure, not Anthropic's permanent 400 after a call.
  test("behind a chain [openai 503, anthropic], Anthropic is skipped without a call and the walk answers the first failure", async () => {
    let anthropicCalls = 0;
    const vendor = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch(req) {
        if (new URL(req.url).pathname.endsWith("/v1/messages")) {
          anthropicCalls++;
          return Response.json({ type: "error", error: { type: "invalid_request_error", message: "messages.1.content: 'image' blocks are not permitted within assistant turns." } }, { status: 400 });
        }
        return Response.json({ error: { message: "overloaded", type: "server_error" } }, { status: 503 });
      },
    });
    const fx = await createProxyFixture();
    try {
      await fx.publish(
        fx.snapshot(1, (s) => {
          s.deployments.dep_down = { id: "dep_down", provider: "openai", baseUrl: `http://127.0.0.1:${vendor.port}/v1`, model: "gpt-4o", region: REGION, credentialRef: "env:ECHO_KEY" };
          s.deployments.dep_claude = { id: "dep_claude", provider: "anthropic", baseUrl: `http://127.0.0.1:${vendor.port}`, model: "claude-sonnet-4-5", region: REGION, credentialRef: "env:ECHO_KEY" };
          s.pricing["openai:gpt-4o"] = { input: 1_000_000, output: 2_000_000 };
          s.pricing["anthropic:claude-sonnet-4-5"] = { input: 1_000_000, output: 2_000_000 };
          s.aliases.chain = { name: "chain", chain: ["dep_down", "dep_claude"] };
        }),
      );
      const proxy = await fx.startProxy({}, { health: createMemoryBreaker({ failureThreshold: 1_000_000 }) });
      const out = await fx
        .client(proxy, undefined, { maxRetries: 0 })
        .chat.completions.create({ model: "chain", messages: history as never })
        .then(
          () => ({ status: 200, param: null }),
          (e: { status: number; param?: string }) => ({ status: e.status, param: e.param ?? null }),
        );
      expect(out).toEqual({ status: 502, param: null });
      expect(anthropicCalls).toBe(0);
    } finally {
      await fx.cleanup();
      vendor.stop(true);
    }
  });
});

describe("gemini", () => {
  test("an image part in an assistant message is sent in the model turn", async () => {
    const r = await sendChat(gemini, { model: "m", messages: history });
    expect(r.refused).toBe(false);
    expect(r.sent.contents[1]).toEqual({ role: "model", parts: [{ text: "Here:" }, { inlineData: { mimeType: "image/png", data: PNG_DATA } }] });
  });
});

describe("openai", () => {
  test("the body is sent as it came, and the vendor's 400 names the message", async () => {
    const before = openai.fake.calls();
    const error = (await openai.client.chat.completions.create({ model: "m", messages: history as never }).catch((e: unknown) => e)) as { status: number; message: string };
    expect(openai.fake.calls()).toBe(before + 1);
    expect((openai.fake.lastRequest()!.body as { messages: unknown[] }).messages[2]).toEqual(history[2]);
    expect(error.status).toBe(400);
    expect(error.message).toContain("Image URLs are only allowed for messages with role 'user', but this message with role 'assistant' contains an image URL.");
  });

  test("the fake refuses an image URL in any message but a user's, as OpenAI does", () => {
    for (const role of ["assistant", "system", "developer", "tool"]) {
      const messages = [{ role: "user", content: "hi" }, { role, content: [{ type: "image_url", image_url: { url: PNG } }], ...(role === "tool" ? { tool_call_id: "c" } : {}) }];
      const refusal = readChatRequest({ model: "m", messages });
      expect(refusal).toBeInstanceOf(Refusal);
      expect((refusal as Refusal).message).toBe(`Invalid 'messages[1]'. Image URLs are only allowed for messages with role 'user', but this message with role '${role}' contains an image URL.`);
    }
    expect(readChatRequest({ model: "m", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: PNG } }] }] })).not.toBeInstanceOf(Refusal);
  });
});
