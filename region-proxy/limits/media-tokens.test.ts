/**
 * Images and PDF files in the prompt estimate: what the budget and TPM reservations hold before the
 * call, and what a call cut before its usage arrived is charged. Each is counted as the deployment's
 * vendor bills it for its model (image-tokens.ts): by the image's own size when its bytes are inline,
 * at the model's worst case for an image fetched by URL, and a PDF by its pages.
 */
import { describe, expect, test } from "bun:test";
import { deflateSync } from "node:zlib";
import type { ChatMessage, ChatRequest, ContentPart } from "../providers/types.ts";
import { estimatePromptTokens } from "./estimate-prompt-tokens.ts";
import { URL_PDF_PAGES } from "./media-tokens.ts";
import { pdfPageCount } from "./pdf-pages.ts";

const request = (messages: ChatMessage[]): ChatRequest => ({ model: "alias", messages, stream: false, includeUsage: false, raw: {} });
const be32 = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
/** A PNG's signature and IHDR chunk: all the estimate reads. */
const pngUrl = (w: number, h: number) =>
  `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...be32(13), 0x49, 0x48, 0x44, 0x52, ...be32(w), ...be32(h), 8, 6, 0, 0, 0]).toString("base64")}`;
const image = (url: string, detail?: string): ContentPart => ({ type: "image_url", image_url: detail ? { url, detail } : { url } });

/** The prompt's tokens with `parts` beside its text, less the same prompt without them. */
function partTokens(parts: ContentPart[], model: string): number {
  const text: ContentPart = { type: "text", text: "What is in these?" };
  return estimatePromptTokens(request([{ role: "user", content: [text, ...parts] }]), model) - estimatePromptTokens(request([{ role: "user", content: [text] }]), model);
}

describe("images in the prompt estimate", () => {
  test("OpenAI tile models: 85 + 170 per 512 px tile after the 2048 / 768 scaling; low detail is the base", () => {
    // The guide's examples: 1024x1024 high is 765, 2048x4096 high is 1105, any image at low is 85.
    expect(partTokens([image(pngUrl(1024, 1024), "high")], "gpt-4o")).toBe(765);
    expect(partTokens([image(pngUrl(2048, 4096))], "gpt-4.1")).toBe(1105);
    expect(partTokens([image(pngUrl(4096, 4096), "low")], "gpt-4o")).toBe(85);
    // Two images, two counts.
    expect(partTokens([image(pngUrl(1024, 1024)), image(pngUrl(2048, 4096))], "gpt-4o-2024-08-06")).toBe(765 + 1105);
  });

  test("gpt-4o-mini bills image tiles at 2833 + 5667 each", () => {
    expect(partTokens([image(pngUrl(1024, 1024), "high")], "gpt-4o-mini")).toBe(2833 + 4 * 5667);
    expect(partTokens([image("https://example.com/cat.png")], "gpt-4o-mini")).toBe(2833 + 8 * 5667);
    expect(partTokens([image("https://example.com/cat.png", "low")], "gpt-4o-mini")).toBe(2833);
  });

  test("OpenAI patch models: 32 px patches up to 1536, times the model's multiplier", () => {
    expect(partTokens([image(pngUrl(1024, 1024))], "gpt-4.1-mini")).toBe(Math.ceil(1024 * 1.62));
    expect(partTokens([image(pngUrl(1800, 2400))], "gpt-4.1-nano")).toBe(Math.ceil(1536 * 2.46));
    expect(partTokens([image("https://example.com/a.jpg")], "o4-mini")).toBe(Math.ceil(1536 * 1.72));
  });

  test("an image by URL: the model's worst case for the detail asked", () => {
    expect(partTokens([image("https://example.com/a.jpg")], "gpt-4o")).toBe(85 + 8 * 170);
    expect(partTokens([image("https://example.com/a.jpg", "low")], "gpt-4o")).toBe(85);
    expect(partTokens([image("https://example.com/a.jpg")], "claude-sonnet-4-5")).toBe(1600);
    expect(partTokens([image("https://example.com/a.jpg")], "claude-opus-4-7")).toBe(4784);
    expect(partTokens([image("https://example.com/a.jpg")], "gemini-3-pro-preview")).toBe(1120);
  });

  test("Anthropic: about width x height / 750, at most ~1,600 (4784 from Claude 4.7 on)", () => {
    expect(partTokens([image(pngUrl(1000, 1000))], "claude-sonnet-4-5-20250929")).toBe(1334);
    // The larger of the two documented counts: 200x200 is ~54 by / 750, 8 x 8 = 64 by 28 px visual tokens.
    expect(partTokens([image(pngUrl(200, 200))], "claude-3-5-sonnet-20241022")).toBe(64);
    expect(partTokens([image(pngUrl(4000, 3000))], "claude-sonnet-4-20250514")).toBe(1600);
    expect(partTokens([image(pngUrl(4000, 3000))], "claude-opus-4-7")).toBe(4784);
  });

  test("Gemini 2: 258 at or under 384 px, else 258 per 768x768 tile; Gemini 3: 1120 per image", () => {
    expect(partTokens([image(pngUrl(384, 300))], "gemini-2.5-flash")).toBe(258);
    expect(partTokens([image(pngUrl(1024, 768))], "gemini-2.0-flash")).toBe(2 * 258);
    expect(partTokens([image(pngUrl(4000, 3000))], "gemini-3-flash-preview")).toBe(1120);
  });

  // The parser, Anthropic and Gemini read an image URL trimmed (openai/media-url.ts, 3b19946), so
  // ' data:image/png;base64,...' is served as data: it is counted at its size, not at the worst case.
  test("an image data URL with whitespace around it is counted at its size", () => {
    expect(partTokens([image(` ${pngUrl(1000, 1000)}`)], "claude-sonnet-4-5")).toBe(1334);
    expect(partTokens([image(`\n${pngUrl(200, 200)} \t`)], "claude-3-5-sonnet-20241022")).toBe(64);
    expect(partTokens([image(` ${pngUrl(384, 300)}`)], "gemini-2.5-flash")).toBe(258);
  });

  test("a model no rule knows: the largest common rule, at most 4784", () => {
    expect(partTokens([image("https://example.com/a.jpg")], "my-azure-deployment")).toBe(4784);
    expect(partTokens([image(pngUrl(512, 512))], "my-azure-deployment")).toBe(Math.ceil(256 * 2.46));
  });

  test("an image's size and a file's pages are read once per part, however many times the request is estimated", () => {
    // Getters count the reads of the part's bytes: the estimate runs at admission, at settling, for each deployment tried.
    let reads = 0;
    const imageUrl = pngUrl(1024, 1024);
    const fileData = `data:application/pdf;base64,${pdf(2)}`;
    const imagePart = { type: "image_url", image_url: { get url() { reads++; return imageUrl; }, detail: "high" } } as ContentPart;
    const filePart = { type: "file", file: { get file_data() { reads++; return fileData; } } } as ContentPart;
    const chat = request([{ role: "user", content: [imagePart, filePart] }]);
    const first = estimatePromptTokens(chat, "gpt-4o");
    expect(reads).toBe(2);
    for (const model of ["gpt-4o", "gpt-4o", "claude-sonnet-4-5"]) estimatePromptTokens(chat, model);
    expect(reads).toBe(2);
    expect(estimatePromptTokens(chat, "gpt-4o")).toBe(first);
    expect(first - estimatePromptTokens(request([{ role: "user", content: [] }]), "gpt-4o")).toBe(765 + 2 * (3000 + 85));
  });
});

/** A PDF of `pages` pages, its page objects plain (PDF 1.4) or packed in a compressed object stream (PDF 1.5+). */
function pdf(pages: number, packed = false): string {
  const kids = Array.from({ length: pages }, (_, i) => `${i + 3} 0 R`).join(" ");
  const pageObjects = Array.from({ length: pages }, (_, i) => `${i + 3} 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n`).join("");
  const head = `%PDF-1.5\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [${kids}] /Count ${pages} >>\nendobj\n`;
  if (!packed) return Buffer.from(`${head}${pageObjects}trailer\n<< /Root 1 0 R >>\n%%EOF\n`, "latin1").toString("base64");
  const objects = Array.from({ length: pages }, () => "<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>").join("\n");
  const stream = deflateSync(Buffer.from(objects, "latin1"));
  const packedHead = `%PDF-1.5\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n`;
  const body = Buffer.concat([
    Buffer.from(`${packedHead}9 0 obj\n<< /Type /ObjStm /N ${pages} /First 0 /Filter /FlateDecode /Length ${stream.length} >>\nstream\n`, "latin1"),
    stream,
    Buffer.from("\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n", "latin1"),
  ]);
  return body.toString("base64");
}
const file = (data: string): ContentPart => ({ type: "file", file: { filename: "doc.pdf", file_data: `data:application/pdf;base64,${data}` } });

describe("PDF files in the prompt estimate", () => {
  test("the pages are counted from the PDF's page objects, plain or in a compressed object stream", () => {
    expect(pdfPageCount(pdf(3))).toBe(3);
    expect(pdfPageCount(pdf(7, true))).toBe(7);
    expect(pdfPageCount(Buffer.from("not a pdf").toString("base64"))).toBeNull();
  });

  test("each page: 3,000 tokens of text (Anthropic's documented upper end) and its page image at the detail the vendor reads it", () => {
    // gpt-4o reads a Chat Completions PDF's page images at low detail: 85 each.
    expect(partTokens([file(pdf(3))], "gpt-4o")).toBe(3 * (3000 + 85));
    expect(partTokens([file(pdf(2, true))], "gpt-4o-mini")).toBe(2 * (3000 + 2833));
    // Not 0: before, a file part counted nothing.
    expect(partTokens([file(pdf(1))], "my-azure-deployment")).toBeGreaterThan(3000);
  });

  test("a file_id counts nothing: the request parser refuses it before the limits (openai/vendor-file-references.ts), so no vendor bills it", () => {
    expect(partTokens([{ type: "file", file: { file_id: "file-abc" } }], "gpt-4o")).toBe(0);
    expect(partTokens([{ type: "file", file: { file_id: "file-abc" } }], "claude-sonnet-4-5")).toBe(0);
  });

  test("data that is no PDF counts as its bytes would as text (a quarter token a byte), not as pages", () => {
    // OpenAI answers a file that is no PDF with a 400, and the Anthropic and Gemini adapters refuse it before the call.
    expect(partTokens([file(Buffer.from("x".repeat(4000)).toString("base64"))], "gpt-4o")).toBe(1000);
  });

  test("a PDF whose pages cannot be found: a page for every 12,000 bytes (its bytes read as 3,000-token pages of text), at least one", () => {
    const unreadable = (bytes: number) => Buffer.concat([Buffer.from("%PDF-1.7\n", "latin1"), Buffer.alloc(bytes - 9, 0x20)]).toString("base64");
    expect(partTokens([file(unreadable(1000))], "gpt-4o")).toBe(3000 + 85);
    expect(partTokens([file(unreadable(120_000))], "gpt-4o")).toBe(10 * (3000 + 85));
  });

  test("a request's PDFs share one inflate budget: after a deflate bomb, the next file's packed pages are not read", () => {
    // One budget per request (pdf-pages.ts), not per file: else each file of a request could inflate 4 MiB.
    const withStream = (stream: Buffer) =>
      Buffer.concat([Buffer.from("%PDF-1.5\n1 0 obj\n<< /Type /ObjStm /N 3 /First 0 /Filter /FlateDecode >>\nstream\n", "latin1"), stream, Buffer.from("\nendstream\nendobj\n%%EOF\n", "latin1")]).toString("base64");
    const bomb = withStream(deflateSync(Buffer.alloc(8 << 20), { level: 9 }));
    const threePages = withStream(deflateSync(Buffer.from("<</Type/Page>>\n<</Type/Page>>\n<</Type/Page>>", "latin1")));
    expect(partTokens([file(threePages)], "gpt-4o")).toBe(3 * (3000 + 85));
    // Each unread: a page (its bytes / 12,000, at least one), 3000 + gpt-4o's low page image 85.
    expect(partTokens([file(bomb), file(threePages)], "gpt-4o")).toBe(2 * (3000 + 85));
  });

  test("a data URL whose media type has parameters (RFC 2397) is read too: OpenAI and Azure are sent it as given", () => {
    // RFC 2397 parameters before ;base64 (parseDataUrl reads them): this file is counted.
    const named = (url: string) => url.replace(/^data:([^;,]*);/, "data:$1;name=doc;");
    expect(partTokens([{ type: "file", file: { file_data: named(`data:application/pdf;base64,${pdf(3)}`) } }], "gpt-4o")).toBe(3 * (3000 + 85));
    expect(partTokens([image(named(pngUrl(1024, 1024)), "high")], "gpt-4o")).toBe(765);
  });

  test("a PDF by http(s) URL in file_data (OpenRouter's form): its pages unknown, counted at URL_PDF_PAGES pages, well inside the model's context window", () => {
    // Not its URL's characters read as base64 (~8 tokens): the vendor fetches the file and bills its pages.
    // Nor the vendor's page cap (308,500 tokens on gpt-4o, 2,760,000 on claude-opus-4-6): past every context window.
    expect(URL_PDF_PAGES).toBe(5);
    const byUrl: ContentPart = { type: "file", file: { filename: "paper.pdf", file_data: "https://example.com/paper.pdf" } };
    expect(partTokens([byUrl], "gpt-4o")).toBe(5 * (3000 + 85));
    expect(partTokens([byUrl, file(pdf(3))], "gpt-4o")).toBe(8 * (3000 + 85));
    expect(partTokens([byUrl], "claude-sonnet-4-5")).toBe(5 * (3000 + 1600));
    expect(partTokens([byUrl], "claude-opus-4-6")).toBe(5 * (3000 + 1600));
    expect(partTokens([byUrl, byUrl], "gemini-2.5-flash")).toBe(2 * 5 * 258);
    // The models' context windows (their model pages): a fifth of each at most, for one file.
    const CONTEXT: [string, number][] = [["gpt-4o", 128_000], ["claude-sonnet-4-5", 200_000], ["claude-opus-4-6", 1_000_000], ["claude-opus-4-7", 1_000_000], ["gemini-2.5-flash", 1_048_576], ["gemini-3-pro-preview", 1_048_576]];
    for (const [model, window] of CONTEXT) expect(partTokens([byUrl], model)).toBeLessThan(window / 5);
  });

  test("the pages of a request's files count at most 100 together on OpenAI (and a model no rule knows)", () => {
    expect(partTokens([file(pdf(80)), file(pdf(80))], "gpt-4o")).toBe(100 * (3000 + 85));
    expect(partTokens([file(pdf(80)), file(pdf(80))], "my-azure-deployment")).toBe(100 * partTokens([file(pdf(1))], "my-azure-deployment"));
  });

  test("Gemini: each page its documented figure alone, 258 on Gemini 2 and 560 on Gemini 3 (its default for PDFs)", () => {
    // Not 3,000 of text and a page image: a 20-page PDF was counted 20 x (3000 + 4128) on Gemini 2, ~28x its bill.
    expect(partTokens([file(pdf(20))], "gemini-2.5-flash")).toBe(20 * 258);
    expect(partTokens([file(pdf(20, true))], "models/gemini-2.0-flash")).toBe(20 * 258);
    expect(partTokens([file(pdf(20))], "gemini-3-pro-preview")).toBe(20 * 560);
    // A name that says no version may be either: the larger.
    expect(partTokens([file(pdf(20))], "gemini-flash-latest")).toBe(20 * 560);
  });

  test("Gemini takes up to 1,000 pages a file, not a request: each file counted up to 1,000, not 100", () => {
    expect(partTokens([file(pdf(300))], "gemini-2.5-pro")).toBe(300 * 258);
    expect(partTokens([file(pdf(1200))], "gemini-3-flash-preview")).toBe(1000 * 560);
    // Up to 3,000 files a prompt: three 900-page files are billed 2,700 pages (696,600 tokens, within
    // gemini-2.5-flash's 1M context), not the 1,000 a request cap would hold (258,000).
    expect(partTokens([file(pdf(900)), file(pdf(900)), file(pdf(900))], "gemini-2.5-flash")).toBe(2700 * 258);
    expect(partTokens([file(pdf(600)), file(pdf(1200))], "gemini-3-flash-preview")).toBe((600 + 1000) * 560);
  });

  test("Claude: each page 3,000 of text and the page as an image by the model's rule, up to 600 pages on a 1M-context model, else 100", () => {
    // Claude Opus 4.6, Sonnet 4.6 and later have a 1M context window: 600 pages a request.
    expect(partTokens([file(pdf(300))], "claude-opus-4-6")).toBe(300 * (3000 + 1600));
    expect(partTokens([file(pdf(300))], "anthropic.claude-sonnet-4-6-v1:0")).toBe(300 * (3000 + 1600));
    expect(partTokens([file(pdf(400)), file(pdf(400))], "claude-opus-4-7")).toBe(600 * (3000 + 4784));
    // An id naming no version is taken for a newer model (claude-generation.ts).
    expect(partTokens([file(pdf(300))], "claude-sonnet-latest")).toBe(300 * (3000 + 4784));
    // 200k-context models: 100 pages.
    expect(partTokens([file(pdf(300))], "claude-sonnet-4-5-20250929")).toBe(100 * (3000 + 1600));
    expect(partTokens([file(pdf(300))], "claude-haiku-4-5")).toBe(100 * (3000 + 1600));
    expect(partTokens([file(pdf(300))], "claude-3-5-sonnet-latest")).toBe(100 * (3000 + 1600));
  });
});
