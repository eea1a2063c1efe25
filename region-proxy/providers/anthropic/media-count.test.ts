/**
 * Anthropic takes at most 100 images and document pages in one request: more is its 400 "Too much
 * media: 0 document pages + 102 images > 100" (anthropics/claude-code#19822; "too many images and
 * documents: 104 + 1 > 100", #23392). OpenAI takes up to 500 images, so a conversation of screenshots
 * reached Anthropic and was refused after the call, naming no field. It is refused before the call,
 * naming `messages`: each image counts one and each PDF at least one page. Through the proxy to the
 * fake Anthropic, which refuses it as Anthropic does (counting a document as one page).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" });
});
afterAll(() => vp?.stop());

const images = (n: number) => Array.from({ length: n }, (_, i) => ({ type: "image_url", image_url: { url: `https://example.com/shot-${i}.png` } }));
const pdf = { type: "file", file: { filename: "a.pdf", file_data: `data:application/pdf;base64,${Buffer.from("%PDF-1.4\n").toString("base64")}` } };

describe("anthropic: more than 100 images and documents in a request", () => {
  test("the fake refuses 101 images as Anthropic does, and takes 100", async () => {
    const send = (n: number) =>
      fetch(`${vp.fake.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "vendor-fake-key", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({
          model: "claude-fake",
          max_tokens: 5,
          messages: [{ role: "user", content: [{ type: "text", text: "hi" }, ...Array.from({ length: n }, (_, i) => ({ type: "image", source: { type: "url", url: `https://example.com/${i}.png` } }))] }],
        }),
      });
    const over = await send(101);
    expect(over.status).toBe(400);
    expect(await over.json()).toMatchObject({ error: { type: "invalid_request_error", message: "Too much media: 0 document pages + 101 images > 100" } });
    expect((await send(100)).status).toBe(200);
  });

  test("through the proxy 101 images, or 100 and a PDF, across turns, are a 400 naming messages without a vendor call; 100 are sent", async () => {
    const split = (parts: unknown[]) => [
      { role: "user", content: [{ type: "text", text: "first" }, ...parts.slice(0, 50)] },
      { role: "assistant", content: "seen" },
      { role: "user", content: [{ type: "text", text: "then" }, ...parts.slice(50)] },
    ];
    expect(await sendChat(vp, { model: "claude", messages: split(images(101)) })).toMatchObject({ refused: true, param: "messages" });
    expect(await sendChat(vp, { model: "claude", messages: split([...images(100), pdf]) })).toMatchObject({ refused: true, param: "messages" });
    const { refused, sent } = await sendChat(vp, { model: "claude", messages: split(images(100)) });
    expect(refused).toBe(false);
    expect(sent.messages.flatMap((m: { content: Array<{ type: string }> }) => m.content).filter((b: { type: string }) => b.type === "image")).toHaveLength(100);
  });
});
