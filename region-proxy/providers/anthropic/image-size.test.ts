/**
 * Anthropic takes a base64 image of at most 5 MB, counted on the base64 text it is sent as: a larger one
 * is its 400 "messages.0.content.0.image.source.base64: image exceeds 5 MB maximum: 6500712 bytes >
 * 5242880 bytes" (gptme/gptme#185, anthropics/claude-code#19631; Claude Code's
 * API_IMAGE_MAX_BASE64_SIZE = 5 * 1024 * 1024, on the base64 string). OpenAI takes such an image (its
 * limit is the 50 MB request), so with MAX_BODY_BYTES raised for images one reached Anthropic and was
 * refused after the upload, naming no field of the client's. It is refused before the call, naming the
 * part's image_url.url. Through the proxy to the fake Anthropic, which refuses it as Anthropic does.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" }, { maxBodyBytes: 16 * 1024 * 1024 });
});
afterAll(() => vp?.stop());

const MAX = 5 * 1024 * 1024;
/** Base64 of a PNG (its signature, then zeros) whose base64 text is `chars` long (a multiple of 4). */
const png = (chars: number) => Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), Buffer.alloc((chars / 4) * 3 - 8)]).toString("base64");
const withImage = (data: string) => [{ role: "user", content: [{ type: "text", text: "what is this?" }, { type: "image_url", image_url: { url: `data:image/png;base64,${data}` } }] }];

describe("anthropic: a base64 image over 5 MB", () => {
  test("the fake refuses it as Anthropic does, and takes one of exactly 5 MB", async () => {
    const send = (data: string) =>
      fetch(`${vp.fake.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "vendor-fake-key", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: "claude-fake", max_tokens: 5, messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data } }] }] }),
      });
    const over = await send(png(MAX + 4));
    expect(over.status).toBe(400);
    expect(await over.json()).toMatchObject({ error: { type: "invalid_request_error", message: `messages.0.content.0.image.source.base64: image exceeds 5 MB maximum: ${MAX + 4} bytes > ${MAX} bytes` } });
    expect((await send(png(MAX))).status).toBe(200);
  });

  test("through the proxy it is a 400 naming the part's url, without a vendor call; exactly 5 MB is sent", async () => {
    expect(await sendChat(vp, { model: "claude", messages: withImage(png(MAX + 4)) })).toMatchObject({ refused: true, param: "messages[0].content[1].image_url.url" });
    const { refused, sent } = await sendChat(vp, { model: "claude", messages: withImage(png(MAX)) });
    expect(refused).toBe(false);
    expect(sent.messages[0].content[1].source.data.length).toBe(MAX);
  });
});
