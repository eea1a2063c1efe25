/**
 * What makes a file a PDF, one rule for the adapters (pdf-file-data.ts) and the prompt estimate
 * (limits/pdf-pages.ts): the `%PDF-` header within the first 1024 bytes, where PDF readers look for it
 * (PDF 1.7 Implementation note 13: Acrobat requires only that the header appear somewhere within the
 * first 1024 bytes). A header that begins there but ends past byte 1024 is not within them.
 */
import { expect, test } from "bun:test";
import { isPdf, readPdfFile } from "./pdf-file-data.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

const withJunk = (junk: number) => Buffer.concat([Buffer.alloc(junk, 0x20), Buffer.from("%PDF-1.4\n%%EOF\n")]);

test("the header counts wherever it lies wholly within the first 1024 bytes", () => {
  for (const junk of [0, 1, 500, 1019]) expect({ junk, pdf: isPdf(withJunk(junk)) }).toEqual({ junk, pdf: true });
  for (const junk of [1020, 1021, 1024, 4096]) expect({ junk, pdf: isPdf(withJunk(junk)) }).toEqual({ junk, pdf: false });
  expect(isPdf(Buffer.from("%PDF"))).toBe(false);
  expect(isPdf(new Uint8Array(Buffer.from("%PDF-1.7")))).toBe(true);
});

test("a file part's data is a PDF by the same rule", () => {
  const part = (junk: number) => ({ type: "file", file: { file_data: `data:application/pdf;base64,${withJunk(junk).toString("base64")}` } }) as never;
  expect(readPdfFile(part(1019), "messages[0].content[1]", "Gemini")).toEqual({ data: withJunk(1019).toString("base64") });
  for (const junk of [1020, 1021]) {
    expect(() => readPdfFile(part(junk), "messages[0].content[1]", "Gemini")).toThrow(UnsupportedParameterError);
    expect(() => readPdfFile(part(junk), "messages[0].content[1]", "Gemini")).toThrow(expect.objectContaining({ param: "messages[0].content[1].file.file_data" }));
  }
});
