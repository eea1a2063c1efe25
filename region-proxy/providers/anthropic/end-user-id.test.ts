/**
 * OpenAI's `user` (or `safety_identifier`) is sent as Anthropic's metadata.user_id, which takes at most
 * 512 characters ("maxLength 512" in the Messages API reference, https://platform.claude.com/docs/en/api/messages;
 * an older reference said 256). A longer id is refused before the call, naming the client's field,
 * instead of Anthropic's 400 after it (metadata.user_id names no field of the client's). Through the
 * proxy to the fake Anthropic, which refuses a longer user_id as Anthropic does.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" });
});
afterAll(() => vp?.stop());

const messages = [{ role: "user", content: "hi" }];

describe("anthropic: the end-user id and metadata.user_id's length", () => {
  test("the fake refuses a user_id over 512 characters, as Anthropic does", async () => {
    const send = (userId: string) =>
      fetch(`${vp.fake.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "vendor-fake-key", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: "claude-fake", max_tokens: 5, messages, metadata: { user_id: userId } }),
      });
    const long = await send("u".repeat(513));
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({ error: { type: "invalid_request_error", message: "metadata.user_id: String should have at most 512 characters" } });
    expect((await send("u".repeat(512))).status).toBe(200);
  });

  test("a user or safety_identifier over 512 characters is a 400 naming it, without a vendor call", async () => {
    expect(await sendChat(vp, { model: "claude", messages, user: "u".repeat(513) })).toMatchObject({ refused: true, param: "user" });
    expect(await sendChat(vp, { model: "claude", messages, safety_identifier: "s".repeat(513), user: "u" })).toMatchObject({ refused: true, param: "safety_identifier" });
  });

  test("the length is counted in characters (code points), not UTF-16 units: 512 emoji are sent, 513 refused", async () => {
    const emoji = (n: number) => "\u{1F600}".repeat(n);
    const { refused, sent } = await sendChat(vp, { model: "claude", messages, user: emoji(512) });
    expect(refused).toBe(false);
    expect(sent.metadata).toEqual({ user_id: emoji(512) });
    expect(await sendChat(vp, { model: "claude", messages, user: emoji(513) })).toMatchObject({ refused: true, param: "user" });
  });

  test("an id of 512 characters is sent as user_id", async () => {
    const { refused, sent } = await sendChat(vp, { model: "claude", messages, user: "u".repeat(512) });
    expect(refused).toBe(false);
    expect(sent.metadata).toEqual({ user_id: "u".repeat(512) });
  });
});
