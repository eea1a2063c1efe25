/**
 * A conversation ending on an assistant message reaches Anthropic as a prefill, which the model
 * continues. Anthropic refuses a final assistant turn whose text ends in whitespace, so the adapter
 * sends that turn's last text without it. Through the proxy to the fake Anthropic, with the official SDK.
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
  ({ fake, client, stop } = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-sonnet-4-5" }));
});
afterAll(() => stop());

const send = (messages: unknown[], extra: Record<string, unknown> = {}) => sendChat({ client, fake }, { model: "claude", messages, ...extra });

describe("anthropic prefill: a conversation ending on an assistant message", () => {
  test("is sent as the final assistant turn, its trailing whitespace removed", async () => {
    const r = await send([{ role: "user", content: "Tell me a joke." }, { role: "assistant", content: "Sure. \n" }]);
    expect(r.sent.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Tell me a joke." }] },
      { role: "assistant", content: [{ type: "text", text: "Sure." }] },
    ]);
  });

  test("only the last text block loses its trailing whitespace; earlier blocks and earlier assistant turns are sent as given", async () => {
    const r = await send([
      { role: "user", content: "a" },
      { role: "assistant", content: "first answer \n" },
      { role: "user", content: "b" },
      { role: "assistant", content: [{ type: "text", text: "One, " }, { type: "text", text: "two,\t " }] },
    ]);
    expect(r.sent.messages[1]).toEqual({ role: "assistant", content: [{ type: "text", text: "first answer \n" }] });
    expect(r.sent.messages[3]).toEqual({ role: "assistant", content: [{ type: "text", text: "One, " }, { type: "text", text: "two," }] });
  });

  test("a final assistant message of only whitespace is not sent, so the conversation ends on the user's turn", async () => {
    const r = await send([{ role: "user", content: "hi" }, { role: "assistant", content: [{ type: "text", text: " \n" }] }]);
    expect(r.sent.messages).toEqual([{ role: "user", content: [{ type: "text", text: "hi" }] }]);
  });

  test("streamed, the same turn is sent the same way", async () => {
    const stream = await client.chat.completions.create({ model: "claude", stream: true, messages: [{ role: "user", content: "Count." }, { role: "assistant", content: "One, two, " }] });
    for await (const _ of stream) {
      // read to the end
    }
    expect((fake.lastRequest()!.body as { messages: unknown[] }).messages.at(-1)).toEqual({ role: "assistant", content: [{ type: "text", text: "One, two," }] });
  });
});
