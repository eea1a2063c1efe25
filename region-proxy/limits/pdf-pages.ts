/**
 * The pages of a base64 PDF, for the prompt estimate (media-tokens.ts): OpenAI and Azure read a PDF
 * `file` part as its extracted text and an image of each page, so its tokens follow its pages. Counted
 * as the page objects (`/Type /Page`, not the page tree's `/Type /Pages`) in the file's bytes; a PDF
 * 1.5+ file may pack them in compressed object streams (`/Type /ObjStm`, FlateDecode), which are
 * inflated (at most OBJECT_STREAM_BYTES of them) and searched too. An incremental update may repeat a
 * page object: counted twice, an over-estimate, which is the safe side for a reservation.
 */
import { constants, inflateSync } from "node:zlib";

const PAGE_OBJECT = /\/Type\s*\/Page(?![A-Za-z0-9#])/g;
/** The most bytes the object streams of one PDF are inflated to: a deflate bomb stops there. */
const OBJECT_STREAM_BYTES = 32 << 20;

const countPages = (text: string) => text.match(PAGE_OBJECT)?.length ?? 0;

/** The page objects inside the FlateDecode object streams of `text` (the PDF's bytes as latin1). */
function pagesInObjectStreams(text: string, bytes: Buffer): number {
  let pages = 0;
  let budget = OBJECT_STREAM_BYTES;
  for (let at = text.indexOf("/ObjStm"); at !== -1 && budget > 0; at = text.indexOf("/ObjStm", at + 7)) {
    const keyword = text.indexOf("stream", at);
    if (keyword === -1) break;
    const dictionary = text.slice(at, keyword);
    if (!dictionary.includes("/FlateDecode") || dictionary.includes("/DecodeParms")) continue;
    const start = keyword + 6 + (text.startsWith("\r\n", keyword + 6) ? 2 : 1);
    const end = text.indexOf("endstream", start);
    if (end === -1) break;
    try {
      const inflated = inflateSync(bytes.subarray(start, end), { maxOutputLength: budget, finishFlush: constants.Z_SYNC_FLUSH /* a stream cut short, or its EOL before endstream, is no error */ });
      budget -= inflated.length;
      pages += countPages(inflated.toString("latin1"));
    } catch {
      // A stream that does not inflate (damaged, or over the budget) holds no pages the count can see.
    }
  }
  return pages;
}

/**
 * The number of pages of a base64 PDF (line breaks and base64url allowed), or null when it is no PDF
 * or none of its pages can be found.
 *
 * @example pdfPageCount(btoa("%PDF-1.4 ... << /Type /Page ... >> ... << /Type /Page ... >>")) // 2
 */
export function pdfPageCount(base64: string): number | null {
  const bytes = Buffer.from(base64, "base64");
  const text = bytes.toString("latin1");
  // The header may follow some bytes of junk (the spec's readers look in the first 1024).
  if (!text.slice(0, 1024).includes("%PDF-")) return null;
  const pages = countPages(text) || (text.includes("/ObjStm") ? pagesInObjectStreams(text, bytes) : 0);
  return pages > 0 ? pages : null;
}
