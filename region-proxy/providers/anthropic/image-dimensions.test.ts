/**
 * Anthropic refuses an image larger than 8000x8000 px, and in a request of more than 20 images one
 * larger than 2000x2000 px (Images and vision, "General limits",
 * https://platform.claude.com/docs/en/build-with-claude/vision): its 400s "...image.source.base64.data:
 * At least one of the image dimensions exceed max allowed size: 8000 pixels" (anthropics/claude-code#4778)
 * and "...exceed max allowed size for many-image requests: 2000 pixels" (#9375, langgenius/dify#11177),
 * after the call, naming no field. OpenAI takes both. An inline image's size is read from its header
 * (image-bytes.ts), so either is refused before the call: the first naming the part's image_url.url,
 * the second naming `messages`. Through the proxy to the fake Anthropic, which refuses both as
 * Anthropic does (reading PNG and GIF headers).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-sonnet-4-5" });
});
afterAll(() => vp?.stop());

/** Base64 of a PNG header (signature and IHDR) saying `width` x `height`. */
function png(width: number, height: number): string {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write("IHDR", 4, "latin1");
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.writeUInt8(8, 16);
  ihdr.writeUInt8(6, 17);
  return Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), ihdr, Buffer.alloc(3)]).toString("base64");
}
const part = (data: string) => ({ type: "image_url", image_url: { url: `data:image/png;base64,${data}` } });
const urls = (n: number) => Array.from({ length: n }, (_, i) => ({ type: "image_url", image_url: { url: `https://example.com/${i}.png` } }));
const user = (parts: unknown[]) => [{ role: "user", content: [{ type: "text", text: "look" }, ...parts] }];

async function fakeAnswer(blocks: unknown[]): Promise<{ status: number; message?: string }> {
  const res = await fetch(`${vp.fake.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "vendor-fake-key", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 5, messages: [{ role: "user", content: blocks }] }),
  });
  return { status: res.status, message: res.status === 200 ? undefined : ((await res.json()) as { error: { message: string } }).error.message };
}
const image = (data: string) => ({ type: "image", source: { type: "base64", media_type: "image/png", data } });
const urlImages = (n: number) => Array.from({ length: n }, (_, i) => ({ type: "image", source: { type: "url", url: `https://example.com/${i}.png` } }));

describe("anthropic: image dimensions", () => {
  test("the fake refuses an image over 8000 px, and one over 2000 px among more than 20 images, as Anthropic does", async () => {
    expect(await fakeAnswer([image(png(8001, 10))])).toEqual({ status: 400, message: "messages.0.content.0.image.source.base64.data: At least one of the image dimensions exceed max allowed size: 8000 pixels" });
    expect((await fakeAnswer([image(png(8000, 8000))])).status).toBe(200);
    expect(await fakeAnswer([...urlImages(20), image(png(10, 2001))])).toEqual({
      status: 400,
      message: "messages.0.content.20.image.source.base64.data: At least one of the image dimensions exceed max allowed size for many-image requests: 2000 pixels",
    });
    expect((await fakeAnswer([...urlImages(19), image(png(10, 2001))])).status).toBe(200);
    expect((await fakeAnswer([...urlImages(20), image(png(2000, 2000))])).status).toBe(200);
  });

  test("through the proxy an image over 8000 px is a 400 naming its url, without a vendor call; 8000 is sent", async () => {
    expect(await sendChat(vp, { model: "claude", messages: user([part(png(10, 8001))]) })).toMatchObject({ refused: true, param: "messages[0].content[1].image_url.url" });
    expect((await sendChat(vp, { model: "claude", messages: user([part(png(8000, 8000))]) })).refused).toBe(false);
  });

  test("among more than 20 images one over 2000 px is a 400 naming messages, without a vendor call; among 20 it is sent", async () => {
    expect(await sendChat(vp, { model: "claude", messages: user([...urls(20), part(png(2001, 10))]) })).toMatchObject({ refused: true, param: "messages" });
    expect((await sendChat(vp, { model: "claude", messages: user([...urls(19), part(png(2001, 10))]) })).refused).toBe(false);
    expect((await sendChat(vp, { model: "claude", messages: user([...urls(20), part(png(2000, 2000))]) })).refused).toBe(false);
  });

  test("a PDF is no image: 20 images, one over 2000 px, beside a PDF are sent", async () => {
    const pdf = { type: "file", file: { filename: "a.pdf", file_data: `data:application/pdf;base64,${Buffer.from("%PDF-1.4\n").toString("base64")}` } };
    expect((await sendChat(vp, { model: "claude", messages: user([...urls(19), part(png(2001, 10)), pdf]) })).refused).toBe(false);
  });
});
