/**
 * A `file` part carrying a base64 PDF (`file.file_data`, the file input Chat Completions takes,
 * developers.openai.com/docs/guides/pdf-files) reaches Anthropic as a `document` block with a base64
 * application/pdf source (platform.claude.com/docs/en/build-with-claude/pdf-support) and Gemini as
 * `inlineData` application/pdf (ai.google.dev/gemini-api/docs/document-processing); both adapters
 * refused it as a part type they did not support, so a document request worked only on OpenAI-format
 * deployments. Only PDF: Anthropic's base64 document source takes no other type, and Gemini reads
 * other documents as plain text only; anything else is a 400 naming file.file_data. User messages only,
 * as OpenAI's spec has file parts there alone.
 */
import { describe, expect, test } from "bun:test";
import { readMessagesRequest } from "../../test/fakes/anthropic-request.ts";
import { readGenerateRequest } from "../../test/fakes/gemini-request.ts";
import { useTranslatingVendors } from "../testing/translating-vendors.ts";
import { sendChat } from "../testing/vendor-behind-proxy.ts";

const vendors = useTranslatingVendors();
const PDF_B64 = Buffer.from("%PDF-1.4\n1 0 obj<< /Type /Page >>endobj\ntrailer<<>>\n%%EOF\n").toString("base64");
const PDF = `data:application/pdf;base64,${PDF_B64}`;
const ask = (file: Record<string, unknown>, extra: Record<string, unknown> = {}) => [{ role: "user", content: [{ type: "text", text: "Summarize this document." }, { type: "file", file, ...extra }] }];

const sentPart = {
  anthropic: (sent: any) => sent.messages[0].content[1],
  gemini: (sent: any) => sent.contents[0].parts[1],
};
const translated = {
  anthropic: { type: "document", source: { type: "base64", media_type: "application/pdf", data: PDF_B64 } },
  gemini: { inlineData: { mimeType: "application/pdf", data: PDF_B64 } },
};

describe.each(["anthropic", "gemini"] as const)("%s", (name) => {
  test("a base64 PDF file part is sent as the vendor's PDF input", async () => {
    const r = await sendChat(vendors[name], { model: "m", messages: ask({ filename: "report.pdf", file_data: PDF }) });
    expect(r.refused).toBe(false);
    // Its filename is Anthropic's document title; Gemini's inlineData has no name (pdf-filename.test.ts).
    expect(sentPart[name](r.sent)).toEqual(name === "anthropic" ? { ...translated.anthropic, title: "report.pdf" } : translated.gemini);
  });

  test("PDF bytes with no type, application/octet-stream, or bare base64 are sent as application/pdf", async () => {
    for (const file_data of [`data:;base64,${PDF_B64}`, `data:application/octet-stream;base64,${PDF_B64}`, `data:Application/PDF;base64,${PDF_B64}`, PDF_B64]) {
      const r = await sendChat(vendors[name], { model: "m", messages: ask({ file_data }) });
      expect(sentPart[name](r.sent)).toEqual(translated[name]);
    }
  });

  test("a file that is no PDF is a 400 naming file.file_data, before the call", async () => {
    const text = Buffer.from("a,b\n1,2\n").toString("base64");
    for (const file_data of [`data:text/csv;base64,${text}`, `data:application/pdf;base64,${text}`, text, "data:application/pdf;base64,%%%not base64", "data:application/pdf;base64,", "data:application/pdf,%PDF-1.4"]) {
      expect(await sendChat(vendors[name], { model: "m", messages: ask({ file_data }) })).toMatchObject({ refused: true, param: "messages[0].content[1].file.file_data" });
    }
  });

  test("a file part without file_data, or with a file that is no object, is a 400 naming it", async () => {
    expect(await sendChat(vendors[name], { model: "m", messages: ask({ filename: "a.pdf" }) })).toMatchObject({ refused: true, param: "messages[0].content[1].file.file_data" });
    const messages = [{ role: "user", content: [{ type: "text", text: "hi" }, { type: "file", file: "a.pdf" }] }];
    expect(await sendChat(vendors[name], { model: "m", messages })).toMatchObject({ refused: true, param: "messages[0].content[1].file" });
  });

  test("a field of the file the translation has no rule for is a 400 naming it", async () => {
    expect(await sendChat(vendors[name], { model: "m", messages: ask({ file_data: PDF, pages: "1-3" }) })).toMatchObject({ refused: true, param: "messages[0].content[1].file.pages" });
  });

  test("a file part in an assistant message is a 400 naming its type, before the call", async () => {
    const messages = [{ role: "user", content: "write me a report" }, { role: "assistant", content: [{ type: "text", text: "Here:" }, { type: "file", file: { file_data: PDF } }] }, { role: "user", content: "shorter" }];
    expect(await sendChat(vendors[name], { model: "m", messages })).toMatchObject({ refused: true, param: "messages[1].content[1].type" });
  });
});

test("anthropic: a file part's cache_control marks its document block", async () => {
  const r = await sendChat(vendors.anthropic, { model: "m", messages: ask({ file_data: PDF }, { cache_control: { type: "ephemeral" } }) });
  expect(r.sent.messages[0].content[1]).toEqual({ ...translated.anthropic, cache_control: { type: "ephemeral" } });
});

describe("the fakes take what the vendors take", () => {
  const anthropic = (content: unknown[], role = "user") =>
    readMessagesRequest({ model: "claude-fake", max_tokens: 10, messages: role === "user" ? [{ role, content }] : [{ role: "user", content: "hi" }, { role, content }, { role: "user", content: "go on" }] });

  test("Anthropic takes a base64 PDF document in a user turn", () => {
    expect(typeof anthropic([translated.anthropic])).toBe("object");
  });

  test("Anthropic refuses a base64 document of another type, data that is no base64, and a document in an assistant turn", () => {
    expect(anthropic([{ type: "document", source: { type: "base64", media_type: "text/plain", data: PDF_B64 } }])).toBe("messages.0.content.0.document.source.base64.media_type: Input should be 'application/pdf'");
    expect(anthropic([{ type: "document", source: { type: "base64", media_type: "application/pdf", data: "%%%" } }])).toBe("messages.0.content.0.document.source.base64: invalid base64 data");
    expect(anthropic([{ type: "document", source: "x" }])).toBe("messages.0.content.0.document.source: Input should be a valid dictionary");
    expect(anthropic([translated.anthropic], "assistant")).toBe("messages.1.content: 'document' blocks are not permitted within assistant turns.");
  });

  test("Gemini takes inline application/pdf", () => {
    expect(typeof readGenerateRequest({ contents: [{ role: "user", parts: [translated.gemini] }] })).toBe("object");
  });
});
