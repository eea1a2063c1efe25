/**
 * A user message with no content (""  or only empty text parts) would leave no parts, and dropping it
 * can leave the conversation ending on a model turn, which Gemini continues instead of answering. It is
 * refused naming its content, as the Anthropic adapter refuses it. Through the proxy to the fake
 * Gemini, read through the official SDK.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { sendChat, startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let fake: FakeVendor;
let client: OpenAI;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, client, stop } = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { gemini: "gemini-fake" }));
});
afterAll(() => stop());

describe("gemini empty user messages", () => {
  for (const content of ["", [{ type: "text" as const, text: "" }], [{ type: "text" as const, text: "" }, { type: "text" as const, text: "" }]]) {
    test(`a user message of ${JSON.stringify(content)} is a 400 naming its content, without a vendor call`, async () => {
      const messages = [{ role: "user", content: "hi" }, { role: "assistant", content: "Hello! How can I" }, { role: "user", content }];
      expect(await sendChat({ client, fake }, { model: "gemini", messages })).toMatchObject({ refused: true, param: "messages[2].content" });
    });
  }

  test("a user message with text is still sent", async () => {
    await client.chat.completions.create({ model: "gemini", messages: [{ role: "user", content: [{ type: "text", text: "" }, { type: "text", text: "hi" }] }] });
    expect((fake.lastRequest()!.body as { contents: unknown }).contents).toEqual([{ role: "user", parts: [{ text: "hi" }] }]);
  });
});
