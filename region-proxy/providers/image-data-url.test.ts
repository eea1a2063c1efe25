/**
 * A `data:` URL image part, through the proxy with the official SDK to the fake Anthropic and Gemini:
 * each vendor is sent only the image types it documents, with data, as the type the bytes are (the
 * label may be wrong: a JPEG labelled image/png, which OpenAI takes and Anthropic refuses); any other
 * type, a URL with no data after `base64,`, or bytes that are no image the vendor takes, is a 400
 * naming the part's image_url.url before any vendor call. The samples are the first bytes of real
 * files of their type.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeAnthropic } from "../../test/fakes/anthropic.ts";
import type { FakeVendor } from "../../test/fakes/fake-server.ts";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import { sendChat, startVendorBehindProxy } from "../testing/vendor-behind-proxy.ts";
import { readImageDataUrl } from "./image-data-url.ts";

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

/** The first bytes of an image of each type, base64. */
const SAMPLE: Record<string, string> = {
  "image/png": "iVBORw0KGgo=",
  "image/jpeg": "/9j/4AAQSkZJRgAB",
  "image/gif": "R0lGODlhAQABAAAAACw=",
  "image/webp": "UklGRiQAAABXRUJQVlA4IA==",
  "image/heic": "AAAAGGZ0eXBoZWljAAAAAA==",
  "image/heif": "AAAAGGZ0eXBtaWYxAAAAAA==",
};
const JPEG = SAMPLE["image/jpeg"]!;
const withImage = (url: string) => [{ role: "user", content: [{ type: "text", text: "what is this?" }, { type: "image_url", image_url: { url } }] }];
const PARAM = "messages[0].content[1].image_url.url";

describe("gemini: data URL images", () => {
  test("each image type Gemini documents (png, jpeg, webp, heic, heif) is sent as inlineData; image/jpg as image/jpeg", async () => {
    for (const [given, sent] of [["image/png", "image/png"], ["image/jpeg", "image/jpeg"], ["image/jpg", "image/jpeg"], ["image/webp", "image/webp"], ["image/heic", "image/heic"], ["image/heif", "image/heif"]] as [string, string][]) {
      const r = await sendChat(gemini, { model: "gemini", messages: withImage(`data:${given};base64,${SAMPLE[sent]}`) });
      expect(r.sent.contents[0].parts[1]).toEqual({ inlineData: { mimeType: sent, data: SAMPLE[sent] } });
    }
  });

  test("a type Gemini refuses (svg, bmp, gif, tiff, text/plain, application/pdf) is a 400 naming the part, before any vendor call", async () => {
    for (const media of ["image/svg+xml", "image/bmp", "image/gif", "image/tiff", "text/plain", "application/pdf"]) {
      expect(await sendChat(gemini, { model: "gemini", messages: withImage(`data:${media};base64,PHN2Zz48L3N2Zz4=`) })).toMatchObject({ refused: true, param: PARAM });
    }
  });

  test("an image labelled with a type it is not is sent as the type its bytes are (a JPEG labelled image/png as image/jpeg)", async () => {
    for (const [label, bytes] of [["image/png", "image/jpeg"], ["image/jpeg", "image/png"], ["image/png", "image/webp"], ["image/heif", "image/heic"]] as [string, string][]) {
      const r = await sendChat(gemini, { model: "gemini", messages: withImage(`data:${label};base64,${SAMPLE[bytes]}`) });
      expect(r.sent.contents[0].parts[1]).toEqual({ inlineData: { mimeType: bytes, data: SAMPLE[bytes] } });
    }
  });

  test("bytes that are no image Gemini takes (a GIF labelled image/png, bytes of no image) are a 400 naming the part, before any vendor call", async () => {
    for (const data of [SAMPLE["image/gif"], "PHN2Zz48L3N2Zz4=", "AAAAAAAA"]) {
      expect(await sendChat(gemini, { model: "gemini", messages: withImage(`data:image/png;base64,${data}`) })).toMatchObject({ refused: true, param: PARAM });
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
    expect(await sendChat(anthropic, { model: "claude", messages: withImage("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=") })).toMatchObject({ refused: true, param: PARAM });
    for (const media of ["image/jpeg", "image/png", "image/gif", "image/webp"]) {
      const r = await sendChat(anthropic, { model: "claude", messages: withImage(`data:${media};base64,${SAMPLE[media]}`) });
      expect(r.sent.messages[0].content[1]).toEqual({ type: "image", source: { type: "base64", media_type: media, data: SAMPLE[media] } });
    }
  });

  test("a JPEG labelled image/png (OpenAI takes it) is sent as image/jpeg, which Anthropic takes; so is any image labelled with another type it takes", async () => {
    for (const [label, bytes] of [["image/png", "image/jpeg"], ["image/jpeg", "image/png"], ["image/webp", "image/gif"], ["image/gif", "image/webp"]] as [string, string][]) {
      const r = await sendChat(anthropic, { model: "claude", messages: withImage(`data:${label};base64,${SAMPLE[bytes]}`) });
      expect(r.sent.messages[0].content[1]).toEqual({ type: "image", source: { type: "base64", media_type: bytes, data: SAMPLE[bytes] } });
    }
  });

  test("bytes that are no image Anthropic takes (HEIC labelled image/jpeg, bytes of no image) are a 400 naming the part, before any vendor call", async () => {
    for (const data of [SAMPLE["image/heic"], "PHN2Zz48L3N2Zz4=", "AAAAAAAA"]) {
      expect(await sendChat(anthropic, { model: "claude", messages: withImage(`data:image/jpeg;base64,${data}`) })).toMatchObject({ refused: true, param: PARAM });
    }
  });
});

describe("the label on a data URL", () => {
  test("an image whose bytes the vendor takes is sent whatever image/* label it has, or a blank one, or application/octet-stream", async () => {
    for (const label of ["image/heic", "image/avif", "application/octet-stream", "", "IMAGE/X-ANYTHING"]) {
      const a = await sendChat(anthropic, { model: "claude", messages: withImage(`data:${label};base64,${JPEG}`) });
      expect({ label, sent: a.sent?.messages[0].content[1].source }).toEqual({ label, sent: { type: "base64", media_type: "image/jpeg", data: JPEG } });
      const g = await sendChat(gemini, { model: "gemini", messages: withImage(`data:${label};base64,${JPEG}`) });
      expect({ label, sent: g.sent?.contents[0].parts[1].inlineData }).toEqual({ label, sent: { mimeType: "image/jpeg", data: JPEG } });
    }
  });

  test("a label that is no image type (text/html, application/pdf) is a 400 naming the part even when the bytes are an image", async () => {
    for (const label of ["text/html", "application/pdf"]) {
      for (const [vendor, model] of [[anthropic, "claude"], [gemini, "gemini"]] as const) {
        expect({ label, model, ...(await sendChat(vendor, { model, messages: withImage(`data:${label};base64,${JPEG}`) })) }).toMatchObject({ label, model, refused: true, param: PARAM });
      }
    }
  });
});

describe("the refusal's words", () => {
  test("bytes of no image list the types with 'or'; the types a vendor accepts with 'and'", () => {
    const accepted = { vendor: "Anthropic", types: ["image/jpeg", "image/png", "image/gif", "image/webp"] };
    expect(() => readImageDataUrl("data:image/png;base64,AAAAAAAA", PARAM, accepted)).toThrow("its first bytes are those of no image/jpeg, image/png, image/gif or image/webp image.");
    expect(() => readImageDataUrl("data:text/html;base64,AAAAAAAA", PARAM, accepted)).toThrow("Anthropic accepts image/jpeg, image/png, image/gif and image/webp, not text/html.");
  });
});

describe("data that is not base64", () => {
  const NOT_BASE64 = [
    "<svg onload=alert(1)>not base64 at all</svg>",
    `${JPEG}<svg onload=alert(1)>`,
    `${JPEG}A`,
    `${JPEG}A=BC`,
    `${JPEG}A===`,
    `${JPEG}AB=`,
  ];

  test("is a 400 naming the part before any vendor call (Anthropic and Gemini): bad characters, a length no base64 has, = inside or misplaced", async () => {
    for (const [vendor, model] of [[anthropic, "claude"], [gemini, "gemini"]] as const) {
      for (const data of NOT_BASE64) {
        expect({ model, data, ...(await sendChat(vendor, { model, messages: withImage(`data:image/jpeg;base64,${data}`) })) }).toMatchObject({ model, data, refused: true, param: PARAM });
      }
    }
  });

  test("unpadded base64 and base64url (Go RawStdEncoding, Rust STANDARD_NO_PAD; Gemini decodes both) are sent as padded standard base64 to both vendors", async () => {
    // Unpadded: 19 characters of a JPEG head; base64url: the same 12 bytes as JPEG with - and _.
    for (const [given, sent] of [["/9j/4AAQSkZJRgABAQE", "/9j/4AAQSkZJRgABAQE="], ["_9j_4AAQSkZJRgAB", JPEG], [`${JPEG}AB-_`, `${JPEG}AB+/`], [`${JPEG}AB`, `${JPEG}AB==`]] as [string, string][]) {
      const a = await sendChat(anthropic, { model: "claude", messages: withImage(`data:image/jpeg;base64,${given}`) });
      expect({ given, sent: a.sent?.messages[0].content[1].source }).toEqual({ given, sent: { type: "base64", media_type: "image/jpeg", data: sent } });
      const g = await sendChat(gemini, { model: "gemini", messages: withImage(`data:image/jpeg;base64,${given}`) });
      expect({ given, sent: g.sent?.contents[0].parts[1].inlineData }).toEqual({ given, sent: { mimeType: "image/jpeg", data: sent } });
    }
  });

  test("base64 broken into lines (MIME style) is sent without the line breaks", async () => {
    const wrapped = `${JPEG.slice(0, 8)}\r\n${JPEG.slice(8)}\n`;
    const a = await sendChat(anthropic, { model: "claude", messages: withImage(`data:image/jpeg;base64,${wrapped}`) });
    expect(a.sent.messages[0].content[1].source.data).toBe(JPEG);
    const g = await sendChat(gemini, { model: "gemini", messages: withImage(`data:image/jpeg;base64,${wrapped}`) });
    expect(g.sent.contents[0].parts[1].inlineData.data).toBe(JPEG);
    expect(await sendChat(gemini, { model: "gemini", messages: withImage("data:image/jpeg;base64, \n ") })).toMatchObject({ refused: true, param: PARAM });
  });
});

describe("the fakes refuse inline images as the vendors do", () => {
  const postAnthropic = (source: Record<string, unknown>) =>
    fetch(`${anthropic.fake.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "vendor-fake-key", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "claude-fake", max_tokens: 5, messages: [{ role: "user", content: [{ type: "text", text: "what is this?" }, { type: "image", source: { type: "base64", ...source } }] }] }),
    });

  test("Anthropic refuses a media_type that is not the type of the bytes, in its words; the bytes' own type passes", async () => {
    const res = await postAnthropic({ media_type: "image/png", data: JPEG });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: "messages.0.content.1.image.source.base64.data: Image does not match the provided media type image/png" } });
    expect((await postAnthropic({ media_type: "image/jpeg", data: JPEG })).status).toBe(200);
  });

  test("Anthropic refuses data that is not base64 with its decode error", async () => {
    for (const data of [`${JPEG}<svg>`, `${JPEG}AB-_`, `${JPEG}ABC`, `${JPEG}\n`]) {
      const res = await postAnthropic({ media_type: "image/jpeg", data });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { type: "invalid_request_error", message: "messages.0.content.1.image.source.base64: invalid base64 data" } });
    }
  });

  test("Gemini refuses data that is not base64 with its protobuf JSON decode error; base64url and unpadded base64 it decodes", async () => {
    const postGemini = (data: string) =>
      fetch(`${gemini.fake.url}/v1beta/models/gemini-fake:generateContent`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-goog-api-key": "vendor-fake-key" },
        body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "what is this?" }, { inlineData: { mimeType: "image/jpeg", data } }] }] }),
      });
    const bad = `${JPEG}<svg>`;
    const res = await postGemini(bad);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT", message: `Invalid value at 'contents[0].parts[1].inline_data.data' (TYPE_BYTES), Base64 decoding failed for ${JSON.stringify(bad)}` } });
    for (const data of [JPEG, `${JPEG}AB-_`, `${JPEG}ABC`]) expect((await postGemini(data)).status).toBe(200);
  });
});
