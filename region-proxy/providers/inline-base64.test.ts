/**
 * readBase64, the one reading of inline base64 for image data URLs and PDF file parts: the words and
 * the param of its 400s, and the data it hands on (line breaks out, base64url and unpadded data as
 * padded standard base64).
 */
import { expect, test } from "bun:test";
import { readImageDataUrl } from "./image-data-url.ts";
import { base64Problem, readBase64 } from "./inline-base64.ts";
import { readPdfFile } from "./pdf-file-data.ts";

const PARAM = "messages[0].content[1].file.file_data";
const WORDS = { what: "The file data", empty: "The file data holds no data." };
const caught = (call: () => unknown): { param: string; message: string } | null => {
  try {
    call();
    return null;
  } catch (error) {
    return { param: (error as { param: string }).param, message: (error as Error).message };
  }
};
const refusal = (given: string) => caught(() => readBase64(given, PARAM, WORDS));

test("data of only spaces and line breaks is refused in the caller's words", () => {
  expect(refusal(" \r\n\t")).toEqual({ param: PARAM, message: "The file data holds no data." });
});

test("data that is no base64 is refused naming the data as the caller does", () => {
  const message = "The file data is not base64: only A-Z, a-z, 0-9, + and / (or base64url's - and _), optionally padded with = to a multiple of 4 characters.";
  for (const given of ["%%%", "JVBER", "JV=BE", "JVB==="]) expect({ given, refusal: refusal(given) }).toEqual({ given, refusal: { param: PARAM, message } });
});

test("MIME line breaks are left out; base64url and unpadded data come back as padded standard base64", () => {
  expect(readBase64("JVBE\r\nRi0", PARAM, WORDS)).toBe("JVBERi0=");
  expect(readBase64("_9j-", PARAM, WORDS)).toBe("/9j+");
  expect(readBase64("JVBERi0xLjQ=", PARAM, WORDS)).toBe("JVBERi0xLjQ=");
});

test("its two callers refuse in their own words: image data URLs and PDF file parts", () => {
  const imageParam = "messages[0].content[1].image_url.url";
  const image = (url: string) => caught(() => readImageDataUrl(url, imageParam, { vendor: "Anthropic", types: ["image/png"] }));
  expect(image("data:image/png;base64,")).toEqual({ param: imageParam, message: "The image data URL holds no data after 'base64,'." });
  expect(image("data:image/png;base64,%%%")).toEqual({ param: imageParam, message: "The image data is not base64: only A-Z, a-z, 0-9, + and / (or base64url's - and _), optionally padded with = to a multiple of 4 characters." });
  const file = (data: string) => caught(() => readPdfFile({ type: "file", file: { file_data: data } } as never, "messages[0].content[1]", "Gemini"));
  expect(file("data:application/pdf;base64,\r\n")).toEqual({ param: PARAM, message: "The file data holds no data." });
  expect(file("%%%")).toEqual({ param: PARAM, message: "The file data is not base64: only A-Z, a-z, 0-9, + and / (or base64url's - and _), optionally padded with = to a multiple of 4 characters." });
});

test("the parser's check (base64Problem) takes exactly the data readBase64 reads", () => {
  const samples = ["", " \r\n", "%%%", "JVBER", "JV=BE", "JVB===", "JVB=", "JV==", "JVBE\r\nRi0", "_9j-", "_9j-4A", "_9j-4A==", "-_-_=", "JVBERi0xLjQ=", "JVBERi0", "A", "AB", "ABC", "ABCD", "AB=C", "ABCD="];
  for (const given of samples) expect({ given, parsed: base64Problem(given, WORDS) === null }).toEqual({ given, parsed: refusal(given) === null });
});
