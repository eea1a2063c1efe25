/**
 * A `data:` URL image part, through the proxy with the official SDK to the fake Anthropic and Gemini:
 * each vendor is sent only the image types it documents, with data; any other type, or a URL with no
 * data after `base64,`, is a 400 naming the part's image_url.url before any vendor call.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeAnthropic } from "../../test/fakes/anthropic.ts";
import type { FakeVendor } from "../../test/fakes/fake-server.ts";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import { sendChat, startVendorBehindProxy } from "../testing/vendor-behind-proxy.ts";

type Vendor = { fake: FakeVendor; client: OpenAI; stop: () => Promise<void> };
let anthropic: Vendor;
let gemini: Vendor;

beforeAll(async () => {
  anthropic = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" });
  gemini = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { gemini: "gemini-fake" });
});
afterAll(async () => {
  await anthropic.stop();
  await gemini.stop();
});

const DATA = "iVBORw0KGgo=";
const withImage = (url: string) => [{ role: "user", content: [{ type: "text", text: "what is this?" }, { type: "image_url", image_url: { url } }] }];
const PARAM = "messages[0].content[1].image_url.url";

describe("gemini: data URL images", () => {
  test("each image type Gemini documents (png, jpeg, webp, heic, heif) is sent as inlineData; image/jpg as image/jpeg", async () => {
    for (const [given, sent] of [["image/png", "image/png"], ["image/jpeg", "image/jpeg"], ["image/jpg", "image/jpeg"], ["image/webp", "image/webp"], ["image/heic", "image/heic"], ["image/heif", "image/heif"]]) {
      const r = await sendChat(gemini, { model: "gemini", messages: withImage(`data:${given};base64,${DATA}`) });
      expect(r.sent.contents[0].parts[1]).toEqual({ inlineData: { mimeType: sent, data: DATA } });
    }
  });

  test("a type Gemini refuses (svg, bmp, gif, tiff, text/plain, application/pdf) is a 400 naming the part, before any vendor call", async () => {
    for (const media of ["image/svg+xml", "image/bmp", "image/gif", "image/tiff", "text/plain", "application/pdf"]) {
      expect(await sendChat(gemini, { model: "gemini", messages: withImage(`data:${media};base64,PHN2Zz48L3N2Zz4=`) })).toMatchObject({ refused: true, param: PARAM });
    }
  });

  test("a data URL with no data is a 400 naming the part, before any vendor call", async () => {
    expect(await sendChat(gemini, { model: "gemini", messages: withImage("data:image/png;base64,") })).toMatchObject({ refused: true, param: PARAM });
  });
});

describe("anthropic: data URL images", () => {
  test("a data URL with no data is a 400 naming the part, before any vendor call", async () => {
    expect(await sendChat(anthropic, { model: "claude", messages: withImage("data:image/png;base64,") })).toMatchObject({ refused: true, param: PARAM });
  });

  test("a type Anthropic refuses is a 400 naming the part; one it takes is sent", async () => {
    expect(await sendChat(anthropic, { model: "claude", messages: withImage(`data:image/svg+xml;base64,${DATA}`) })).toMatchObject({ refused: true, param: PARAM });
    const r = await sendChat(anthropic, { model: "claude", messages: withImage(`data:image/gif;base64,${DATA}`) });
    expect(r.sent.messages[0].content[1]).toEqual({ type: "image", source: { type: "base64", media_type: "image/gif", data: DATA } });
  });
});
