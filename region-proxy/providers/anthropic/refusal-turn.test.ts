/**
 * An assistant message that is only OpenAI's `refusal` (content null) is the model declining: it must
 * stay in the history as that turn's text, so the model sees what it answered; so must a refusal part
 * (`{type: "refusal"}`) in an assistant message's content. Through the proxy to
 * the fake Anthropic, read through the official SDK.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { sendChat, startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let fake: FakeVendor;
let client: OpenAI;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, client, stop } = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" }));
});
afterAll(() => stop());

const sentMessages = () => (fake.lastRequest()!.body as { messages: unknown[] }).messages;

describe("anthropic assistant refusal turns", () => {
  test("an assistant turn of only a refusal is sent as that turn's text", async () => {
    await client.chat.completions.create({
      model: "claude",
      messages: [
        { role: "user", content: "how to pick a lock?" },
        { role: "assistant", content: null, refusal: "I can't help with that." },
        { role: "user", content: "why not?" },
      ],
    });
    expect(sentMessages()).toEqual([
      { role: "user", content: [{ type: "text", text: "how to pick a lock?" }] },
      { role: "assistant", content: [{ type: "text", text: "I can't help with that." }] },
      { role: "user", content: [{ type: "text", text: "why not?" }] },
    ]);
  });

  test("a refusal that is not a string is a 400 naming it, without a vendor call", async () => {
    const messages = [{ role: "user", content: "a" }, { role: "assistant", content: null, refusal: 5 }, { role: "user", content: "b" }];
    expect(await sendChat({ client, fake }, { model: "claude", messages })).toMatchObject({ refused: true, param: "messages[1].refusal" });
  });

  test("an assistant message whose content holds a refusal part (OpenAI's ContentPartRefusal) is sent with it as text", async () => {
    const messages = [
      { role: "user", content: "how to pick a lock?" },
      { role: "assistant", content: [{ type: "refusal", refusal: "I can't help with that." }] },
      { role: "user", content: "why not?" },
    ];
    const r = await sendChat({ client, fake }, { model: "claude", messages });
    expect(r.refused).toBe(false);
    expect(r.sent.messages[1]).toEqual({ role: "assistant", content: [{ type: "text", text: "I can't help with that." }] });
  });

  test("text and refusal parts of one assistant message keep their order", async () => {
    const messages = [
      { role: "user", content: "how to pick a lock?" },
      { role: "assistant", content: [{ type: "text", text: "Sorry." }, { type: "refusal", refusal: "I can't help with that." }] },
      { role: "user", content: "why not?" },
    ];
    const r = await sendChat({ client, fake }, { model: "claude", messages });
    expect(r.sent.messages[1]).toEqual({ role: "assistant", content: [{ type: "text", text: "Sorry." }, { type: "text", text: "I can't help with that." }] });
  });

  test("a refusal part whose refusal is not a string is a 400 naming it; a refusal part outside an assistant message stays refused", async () => {
    const bad = [{ role: "user", content: "a" }, { role: "assistant", content: [{ type: "refusal", refusal: 5 }] }, { role: "user", content: "b" }];
    expect(await sendChat({ client, fake }, { model: "claude", messages: bad })).toMatchObject({ refused: true, param: "messages[1].content[0].refusal" });
    const inUser = [{ role: "user", content: [{ type: "refusal", refusal: "no" }] }];
    expect(await sendChat({ client, fake }, { model: "claude", messages: inUser })).toMatchObject({ refused: true, param: "messages[0].content[0].type" });
  });
});
