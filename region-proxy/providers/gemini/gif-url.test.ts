/**
 * Gemini does not take GIF (not among the image types it documents; inline it answers 400
 * "Unsupported MIME type: image/gif"). An inline GIF was refused before the call, but an http(s) URL
 * ending in .gif went out as fileData with mimeType image/gif: the same vendor 400 after a round trip
 * (review rb B4). Both are now the same 400 naming the part, from the same list of types; a URL
 * without a known extension is still sent (as image/jpeg: Gemini needs a type, and fetches it).
 */
import { expect, test } from "bun:test";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { toGeminiBody } from "./request.ts";

const ask = (url: string) => ({ model: "a", stream: false, includeUsage: false, raw: {}, messages: [{ role: "user", content: [{ type: "image_url", image_url: { url } }] }] }) as never;
const refusal = (url: string): { param: string; message: string } | null => {
  try {
    toGeminiBody(ask(url), "gemini-2.5-flash");
    return null;
  } catch (e) {
    if (e instanceof UnsupportedParameterError) return { param: e.param, message: e.message };
    throw e;
  }
};

test("a GIF is refused before the call whether inline or by URL, with the same message", () => {
  const inline = refusal("data:image/gif;base64,R0lGODlhAQABAAAAACw=");
  expect(inline?.param).toBe("messages[0].content[0].image_url.url");
  for (const url of ["https://example.com/cat.gif", "https://example.com/CAT.GIF?size=2#x"]) expect(refusal(url)).toEqual(inline);
});

test("URLs of the types Gemini takes, or with no known extension, are still sent", () => {
  for (const url of ["https://example.com/cat.png", "https://example.com/cat.webp", "https://example.com/cat.heic", "https://example.com/cat", "https://example.com/gif"]) expect(refusal(url)).toBeNull();
});
