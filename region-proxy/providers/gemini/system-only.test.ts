/**
 * A conversation of only system and developer messages (OpenAI answers `[{role: "system", content:
 * "Say hello."}]`) leaves Gemini no contents once that text moves to its `systemInstruction`, and Gemini
 * refuses a request without contents. It is refused before the call, naming `messages`, not answered with
 * Google's 400 and param null. Minimised from the fuzzing review; through the proxy to the fake
 * Gemini, read through the official SDK.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { gemini: "gemini-2.5-flash" });
});
afterAll(() => vp?.stop());

const NO_TURNS: Array<[string, unknown[]]> = [
  ["a system message", [{ role: "system", content: "Say hello." }]],
  ["a developer message", [{ role: "developer", content: "Say hello." }]],
  ["system and developer messages", [{ role: "system", content: "Be brief." }, { role: "developer", content: [{ type: "text", text: "Say hello." }] }]],
  ["a system message and an empty assistant message (not sent)", [{ role: "system", content: "Say hello." }, { role: "assistant", content: "" }]],
];

describe("gemini: a conversation without user or assistant turns", () => {
  for (const [name, messages] of NO_TURNS) {
    test(`${name} is a 400 naming messages, without a vendor call`, async () => {
      expect(await sendChat(vp, { model: "gemini", messages })).toMatchObject({ refused: true, param: "messages" });
    });
  }

  test("streamed too, with a message saying what the provider needs", async () => {
    const error = await vp.client.chat.completions
      .create({ model: "gemini", messages: [{ role: "system", content: "Say hello." }], stream: true })
      .then(() => null, (e: unknown) => e as { status: number; param: string; message: string });
    expect(error).toMatchObject({ status: 400, param: "messages" });
    expect(error!.message).toContain("at least one user or assistant message");
  });

  test("a system message with a user turn is still sent, as system text and that turn", async () => {
    const { refused, sent } = await sendChat(vp, { model: "gemini", messages: [{ role: "system", content: "Say hello." }, { role: "user", content: "hi" }] });
    expect(refused).toBe(false);
    expect(sent.systemInstruction).toEqual({ parts: [{ text: "Say hello." }] });
    expect(sent.contents).toEqual([{ role: "user", parts: [{ text: "hi" }] }]);
  });
});
