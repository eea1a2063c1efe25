/**
 * Anthropic takes at most 100 images and document pages in one request to a model with a 200k-token
 * context window, 600 to the others (Images and vision, "General limits"): more is its 400 "Too much
 * media: 0 document pages + 102 images > 100" (anthropics/claude-code#19822). OpenAI takes up to 500
 * images, so a conversation of screenshots reached Anthropic and was refused after the call, naming no
 * field. It is refused before the call, naming `messages`, at the model's limit (media-count.ts): each
 * image counts one and each PDF at least one page. Through the proxy to the fake Anthropic, which
 * refuses it as Anthropic does (counting a document as one page).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { small: "claude-sonnet-4-5", large: "claude-sonnet-4-6" });
});
afterAll(() => vp?.stop());

const images = (n: number) => Array.from({ length: n }, (_, i) => ({ type: "image_url", image_url: { url: `https://example.com/shot-${i}.png` } }));
const pdf = { type: "file", file: { filename: "a.pdf", file_data: `data:application/pdf;base64,${Buffer.from("%PDF-1.4\n").toString("base64")}` } };
const split = (parts: unknown[]) => [
  { role: "user", content: [{ type: "text", text: "first" }, ...parts.slice(0, 50)] },
  { role: "assistant", content: "seen" },
  { role: "user", content: [{ type: "text", text: "then" }, ...parts.slice(50)] },
];
const imagesSent = (sent: { messages: Array<{ content: Array<{ type: string }> }> }) => sent.messages.flatMap((m) => m.content).filter((b) => b.type === "image").length;

describe("anthropic: more images and documents than the model takes in a request", () => {
  test("the fake refuses 101 images on a 200k-context model and 601 on a 1M one, as Anthropic does, and takes 100 and 600", async () => {
    const send = (model: string, n: number) =>
      fetch(`${vp.fake.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "vendor-fake-key", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({
          model,
          max_tokens: 5,
          messages: [{ role: "user", content: [{ type: "text", text: "hi" }, ...Array.from({ length: n }, (_, i) => ({ type: "image", source: { type: "url", url: `https://example.com/${i}.png` } }))] }],
        }),
      });
    const over = await send("claude-sonnet-4-5", 101);
    expect(over.status).toBe(400);
    expect(await over.json()).toMatchObject({ error: { type: "invalid_request_error", message: "Too much media: 0 document pages + 101 images > 100" } });
    expect((await send("claude-sonnet-4-5", 100)).status).toBe(200);
    const overLarge = await send("claude-sonnet-4-6", 601);
    expect(overLarge.status).toBe(400);
    expect(await overLarge.json()).toMatchObject({ error: { message: "Too much media: 0 document pages + 601 images > 600" } });
    expect((await send("claude-sonnet-4-6", 600)).status).toBe(200);
    // Old-style ids (version before the line) are 200k-context models too: 100, as the proxy's maxMedia gives.
    for (const model of ["claude-3-5-sonnet-20241022", "claude-3-7-sonnet-latest", "claude-3-opus-20240229"]) {
      const overOld = await send(model, 101);
      expect(overOld.status).toBe(400);
      expect(await overOld.json()).toMatchObject({ error: { message: "Too much media: 0 document pages + 101 images > 100" } });
      expect((await send(model, 100)).status).toBe(200);
    }
  });

  test("through the proxy, on a 200k-context model, 101 images across turns, or 100 and a PDF, are a 400 naming messages without a vendor call; 100 are sent", async () => {
    expect(await sendChat(vp, { model: "small", messages: split(images(101)) })).toMatchObject({ refused: true, param: "messages" });
    expect(await sendChat(vp, { model: "small", messages: split([...images(100), pdf]) })).toMatchObject({ refused: true, param: "messages" });
    const { refused, sent } = await sendChat(vp, { model: "small", messages: split(images(100)) });
    expect(refused).toBe(false);
    expect(imagesSent(sent)).toBe(100);
  });

  test("on a 1M-context model 600 images are sent and 601 refused", async () => {
    const { refused, sent } = await sendChat(vp, { model: "large", messages: split(images(600)) });
    expect(refused).toBe(false);
    expect(imagesSent(sent)).toBe(600);
    expect(await sendChat(vp, { model: "large", messages: split(images(601)) })).toMatchObject({ refused: true, param: "messages" });
  });
});
