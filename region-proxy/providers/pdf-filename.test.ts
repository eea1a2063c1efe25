/**
 * A file part's `filename` on the translating adapters: Anthropic's document block has an optional
 * `title` (a string of 1 to 500 characters, or null: the Messages API's RequestDocumentBlock), which
 * the model sees as the document's name and citations quote back as document_title, so the filename
 * is sent as it (a name only: one Anthropic would refuse as a title is shortened or left out, never a
 * reason to refuse the request); Gemini's inlineData (a Blob) has no name the Gemini API takes (its displayName is
 * "not supported in Gemini API", googleapis/js-genai types.Blob), so there it is left out.
 */
import { describe, expect, test } from "bun:test";
import { readMessagesRequest } from "../../test/fakes/anthropic-request.ts";
import { useTranslatingVendors } from "../testing/translating-vendors.ts";
import { sendChat } from "../testing/vendor-behind-proxy.ts";

const vendors = useTranslatingVendors();
const PDF_B64 = Buffer.from("%PDF-1.4\n1 0 obj<< /Type /Page >>endobj\ntrailer<<>>\n%%EOF\n").toString("base64");
const PDF = `data:application/pdf;base64,${PDF_B64}`;
const ask = (file: Record<string, unknown>) => [{ role: "user", content: [{ type: "text", text: "Summarize this document." }, { type: "file", file }] }];
const source = { type: "base64", media_type: "application/pdf", data: PDF_B64 };

describe("anthropic", () => {
  test("the filename is the document block's title", async () => {
    const r = await sendChat(vendors.anthropic, { model: "m", messages: ask({ filename: "Q3 report.pdf", file_data: PDF }) });
    expect(r.sent.messages[0].content[1]).toEqual({ type: "document", source, title: "Q3 report.pdf" });
  });

  test("no filename, a null or an empty one, sends no title", async () => {
    for (const file of [{ file_data: PDF }, { file_data: PDF, filename: null }, { file_data: PDF, filename: "" }]) {
      const r = await sendChat(vendors.anthropic, { model: "m", messages: ask(file) });
      expect(r.sent.messages[0].content[1]).toEqual({ type: "document", source });
    }
  });

  test("a filename longer than Anthropic's 500-character title is shortened to its first 500 characters, and the request served", async () => {
    // 500 characters (code points, as Anthropic counts) is the most; an emoji is one character.
    const longest = "😀".repeat(496) + ".pdf";
    expect((await sendChat(vendors.anthropic, { model: "m", messages: ask({ filename: longest, file_data: PDF }) })).sent.messages[0].content[1].title).toBe(longest);
    const cases = [
      ["a".repeat(497) + ".pdf", "a".repeat(497) + ".pd"],
      ["😀".repeat(501), "😀".repeat(500)],
      // The 500th character is a surrogate pair straddling UTF-16 unit 500: kept whole, not split.
      ["a".repeat(499) + "😀" + "x.pdf", "a".repeat(499) + "😀"],
    ];
    for (const [filename, title] of cases) {
      const r = await sendChat(vendors.anthropic, { model: "m", messages: ask({ filename, file_data: PDF }) });
      expect(r.refused).toBeFalsy();
      expect(r.sent.messages[0].content[1]).toEqual({ type: "document", source, title });
    }
  });

  test("a filename that is not a string, which Anthropic would refuse as a title, is left out, and the request served", async () => {
    for (const filename of [5, true, { name: "a.pdf" }, ["a.pdf"]]) {
      const r = await sendChat(vendors.anthropic, { model: "m", messages: ask({ filename, file_data: PDF }) });
      expect(r.refused).toBeFalsy();
      expect(r.sent.messages[0].content[1]).toEqual({ type: "document", source });
    }
  });
});

test("gemini: the filename is left out, inlineData has no name the Gemini API takes", async () => {
  const r = await sendChat(vendors.gemini, { model: "m", messages: ask({ filename: "Q3 report.pdf", file_data: PDF }) });
  expect(r.sent.contents[0].parts[1]).toEqual({ inlineData: { mimeType: "application/pdf", data: PDF_B64 } });
});

describe("the Anthropic fake takes a document title as Anthropic does", () => {
  const read = (block: Record<string, unknown>) => readMessagesRequest({ model: "claude-fake", max_tokens: 10, messages: [{ role: "user", content: [block] }] });
  const document = (fields: Record<string, unknown>) => ({ type: "document", source, ...fields });

  test("a title of 1 to 500 characters, or null, is taken", () => {
    for (const title of ["a.pdf", "x".repeat(500), null]) expect(typeof read(document({ title }))).toBe("object");
  });

  test("an empty, longer or non-string title, and a field a document block has not, are refused in Anthropic's words", () => {
    expect(read(document({ title: "" }))).toBe("messages.0.content.0.document.title: String should have at least 1 character");
    expect(read(document({ title: "x".repeat(501) }))).toBe("messages.0.content.0.document.title: String should have at most 500 characters");
    expect(read(document({ title: 5 }))).toBe("messages.0.content.0.document.title: Input should be a valid string");
    expect(read(document({ filename: "a.pdf" }))).toBe("messages.0.content.0.document.filename: Extra inputs are not permitted");
  });
});
