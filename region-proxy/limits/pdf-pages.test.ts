/**
 * A PDF's pages for the prompt estimate (pdf-pages.ts), read on the request thread: plain page objects
 * and those packed in FlateDecode object streams, with the request's inflating bounded however the
 * file is crafted.
 */
import { expect, test } from "bun:test";
import { deflateSync } from "node:zlib";
import { newInflateBudget, PDF_INFLATE_BYTES, pdfPageCount, readPdf } from "./pdf-pages.ts";

const latin1 = (text: string) => Buffer.from(text, "latin1");
/** A PDF whose one object stream (dictionary `dictionary`) holds `data`. */
const withObjectStream = (dictionary: string, data: Buffer, before = "") =>
  Buffer.concat([latin1(`%PDF-1.5\n${before}9 0 obj\n<< ${dictionary} >>\nstream\n`), data, latin1("\nendstream\nendobj\n%%EOF\n")]).toString("base64");
const packedPages = (pages: number) => deflateSync(latin1(Array.from({ length: pages }, () => "<</Type/Page/Parent 2 0 R>>").join("\n")));

/** An object `num` holding a FlateDecode object stream of `objects`. */
const objectStream = (num: number, objects: string[]) => {
  const data = deflateSync(latin1(objects.join("\n")));
  return Buffer.concat([latin1(`${num} 0 obj\n<< /Type /ObjStm /N ${objects.length} /First 0 /Length ${data.length} /Filter /FlateDecode >>\nstream\n`), data, latin1("\nendstream\nendobj\n")]);
};
const pages = (count: number) => Array.from({ length: count }, () => "<< /Type /Page /Parent 2 0 R >>");

test("an object stream's dictionary may name the stream's filter before its type (qpdf writes keys in order)", () => {
  const data = packedPages(4);
  expect(pdfPageCount(withObjectStream(`/Filter /FlateDecode /First 0 /Length ${data.length} /N 4 /Type /ObjStm`, data))).toBe(4);
});

test("a stream is read once, however many times its dictionary names /ObjStm", () => {
  const data = packedPages(1);
  expect(pdfPageCount(withObjectStream(`/Type ${"/ObjStm/FlateDecode ".repeat(50)}`, data))).toBe(1);
});

test("a deflate bomb is inflated once and charged to the request's budget, which then stops its other PDFs", () => {
  // 8 MiB of zeros in an 8 KB stream, named 500 times: one inflate, cut at the budget, charged in full.
  const bomb = withObjectStream(`/Type ${"/ObjStm/FlateDecode ".repeat(500)}`, deflateSync(Buffer.alloc(8 << 20), { level: 9 }));
  const budget = newInflateBudget();
  expect(pdfPageCount(bomb, budget)).toBeNull();
  expect(budget.left).toBeLessThanOrEqual(0);
  // The same request's next PDF finds no budget left: its packed pages are not read.
  expect(pdfPageCount(withObjectStream("/Type /ObjStm /Filter /FlateDecode", packedPages(3)), budget)).toBeNull();
  // Another request's budget reads it.
  expect(pdfPageCount(withObjectStream("/Type /ObjStm /Filter /FlateDecode", packedPages(3)), newInflateBudget())).toBe(3);
});

test("a stream that fails to inflate is charged too, so many damaged streams stop at the budget", () => {
  const damaged = Array.from({ length: 2000 }, (_, i) => `${i + 10} 0 obj\n<< /Type /ObjStm /Filter /FlateDecode >>\nstream\n\xff\xfe\xfd\nendstream\nendobj\n`).join("");
  const budget = newInflateBudget();
  expect(pdfPageCount(latin1(`%PDF-1.5\n${damaged}%%EOF\n`).toString("base64"), budget)).toBeNull();
  expect(budget.left).toBeLessThanOrEqual(0);
  expect(PDF_INFLATE_BYTES).toBeLessThanOrEqual(8 << 20);
});

test("every inflate is charged at least 16 KiB: a PDF of 1,000 tiny object streams is inflated at most 256 times", () => {
  // Each call costs its fixed ~0.1 ms however little it writes, so calls are bounded as bytes are.
  const tiny = objectStream(1, ["<</Type/Page>>"]);
  const pdf = Buffer.concat([latin1("%PDF-1.5\n"), ...Array<Buffer>(1000).fill(tiny), latin1("%%EOF\n")]);
  expect(pdfPageCount(pdf.toString("base64"))).toBe(PDF_INFLATE_BYTES / (16 << 10));
});

test("an incremental update's plain page beside pages packed in an object stream: both are counted", () => {
  // A PDF 1.5 file edited by an incremental update: its nine pages in an object stream, the added page plain.
  const plainPage = "2 0 obj\n<< /Type /Pages /Count 10 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R >>\nendobj\n";
  expect(pdfPageCount(withObjectStream("/Type /ObjStm /N 9 /First 0 /Filter /FlateDecode", packedPages(9), plainPage))).toBe(10);
});

test("an object stream right after an xref stream with /DecodeParms is read: qpdf's object-stream file with an incremental update (11 pages, qpdf --show-npages)", async () => {
  // test/fixtures/pdf/SOURCES.md: 10 pages packed, the xref stream (/Predictor 12), then the update packing the 11th.
  const file = await Bun.file(new URL("../../test/fixtures/pdf/incr-objstm-added-page.pdf", import.meta.url)).arrayBuffer();
  expect(pdfPageCount(Buffer.from(file).toString("base64"))).toBe(11);
  // The same shape built here: the previous section's xref stream names /DecodeParms just before the update's object stream.
  const xref = "26 0 obj\n<< /Type /XRef /W [ 1 2 1 ] /Filter /FlateDecode /DecodeParms << /Columns 4 /Predictor 12 >> /Length 3 >>\nstream\nxyz\nendstream\nendobj\nstartxref\n9\n%%EOF\n";
  const updated = Buffer.concat([latin1("%PDF-1.5\n"), objectStream(1, pages(10)), latin1(xref), objectStream(27, ["<< /Type /Pages /Count 11 >>", ...pages(1)])]);
  expect(pdfPageCount(updated.toString("base64"))).toBe(11);
});

test("an object stream right after a PNG-predictor image is read, however large the file (not sized as a page per 12,000 bytes)", () => {
  // pdfTeX copies a PNG as a FlateDecode image with /DecodeParms << /Predictor 15 >>; the pages are packed after it.
  const image = (num: number, bytes: number) =>
    `${num} 0 obj\n<< /Type /XObject /Subtype /Image /Width 4 /Height 4 /BitsPerComponent 8 /ColorSpace /DeviceRGB /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 3 /Columns 4 >> /Length ${bytes} >>\nstream\n${"x".repeat(bytes)}\nendstream\nendobj\n`;
  const small = Buffer.concat([latin1(`%PDF-1.5\n${image(5, 4)}`), objectStream(9, pages(3)), latin1("%%EOF\n")]);
  expect(pdfPageCount(small.toString("base64"))).toBe(3);
  // A 600 KB file (a large photo first): unread, it was 50 pages, ~292k tokens on gpt-4o-mini.
  const large = Buffer.concat([latin1(`%PDF-1.5\n${image(4, 600_000)}${image(5, 4)}`), objectStream(9, pages(3)), latin1("%%EOF\n")]);
  expect(pdfPageCount(large.toString("base64"))).toBe(3);
});

test("a /DecodeParms in the object stream's own dictionary still skips it (a predictor the reader does not undo)", () => {
  const data = packedPages(2);
  expect(pdfPageCount(withObjectStream("/Type /ObjStm /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >>", data))).toBeNull();
});

test("a PDF is one whose %PDF- header lies wholly within its first 1024 bytes, junk before it allowed (as the adapters take it)", () => {
  const page = "1 0 obj\n<< /Type /Page >>\nendobj\n";
  const withJunk = (junk: number) => latin1(`${" ".repeat(junk)}%PDF-1.7\n${page}`).toString("base64");
  expect(readPdf(withJunk(0))).toEqual({ pages: 1 });
  expect(readPdf(withJunk(1019))).toEqual({ pages: 1 });
  // Its last byte past byte 1024, or all of it: no PDF (null), not a PDF of no pages found.
  expect(readPdf(withJunk(1020))).toBeNull();
  expect(readPdf(withJunk(2000))).toBeNull();
});
