/**
 * The pages of a base64 PDF, for the prompt estimate (media-tokens.ts): every vendor that takes a PDF
 * `file` part bills it by its pages (pdf-page-rule.ts), so its tokens follow its pages. Counted
 * as the page objects (`/Type /Page`, not the page tree's `/Type /Pages`) in the file's bytes; a PDF
 * 1.5+ file may pack them in compressed object streams (`/Type /ObjStm`, FlateDecode), which are
 * inflated and searched too. An incremental update may repeat a page object: counted twice, an
 * over-estimate, which is the safe side for a reservation.
 *
 * The estimate runs on the request thread, so a request's PDF work is bounded: its object streams
 * are inflated under one InflateBudget for the whole request (PDF_INFLATE_BYTES), each stream at most
 * once, and every inflate is charged, a failed one too (as the most it may have written), at least
 * INFLATE_CALL_BYTES. A stream the budget does not reach counts no pages.
 */
import { constants, inflateSync } from "node:zlib";
import { isPdf } from "../providers/pdf-file-data.ts";

const PAGE_OBJECT = /\/Type\s*\/Page(?![A-Za-z0-9#])/g;

/**
 * The most bytes a request's PDFs inflate to together: a deflate bomb stops there. The worst a 1 MiB
 * body makes of it (4 MiB of inflated page objects, 381k page matches) measured 28-75 ms CPU (fastest
 * to median run; ~120 ms on a busy host), most of it the page search over the inflated text, not zlib
 * (~1-15 ms): about what tokenizing 1 MB of text costs (~40-60 ms).
 */
export const PDF_INFLATE_BYTES = 4 << 20;
/**
 * What one inflate is charged at least: a call costs ~0.1 ms however little it writes (a failed one
 * throws), so a PDF of many tiny streams is bounded by calls as a bomb is by bytes (at most 256 calls).
 */
const INFLATE_CALL_BYTES = 16 << 10;
/** Deflate writes at most ~1032 bytes per byte read: what a stream that failed part way may have cost. */
const MOST_DEFLATE_RATIO = 1032;
/** How far before its `/ObjStm` name an object stream's dictionary may begin (`<< /Filter /FlateDecode … /Type /ObjStm`). */
const DICTIONARY_LOOKBACK = 1024;

/**
 * Where the dictionary of the object stream named at `at` begins: within DICTIONARY_LOOKBACK, after the
 * last stream visited (`after`) and after the previous object's end (its endobj or endstream), so the
 * keys of the object before it (an xref stream's or a PNG image's /DecodeParms) are not taken for its own.
 */
function dictionaryStart(text: string, at: number, after: number): number {
  const from = Math.max(after, at - DICTIONARY_LOOKBACK);
  const window = text.slice(from, at);
  return from + Math.max(0, window.lastIndexOf("endobj"), window.lastIndexOf("endstream"));
}

/** What is left of a request's inflating (PDF_INFLATE_BYTES when new), shared by all its PDFs. */
export interface InflateBudget {
  left: number;
}

/** A request's budget: one per estimate of its files (media-tokens.ts). */
export const newInflateBudget = (): InflateBudget => ({ left: PDF_INFLATE_BYTES });

const countPages = (text: string) => text.match(PAGE_OBJECT)?.length ?? 0;

/** `data` inflated within `budget` (charged for it, failed or not), or "" when it does not inflate. */
function inflateWithin(data: Buffer, budget: InflateBudget): string {
  const most = budget.left;
  try {
    // A stream cut short, or its EOL before endstream, is no error (Z_SYNC_FLUSH).
    const inflated = inflateSync(data, { maxOutputLength: most, finishFlush: constants.Z_SYNC_FLUSH });
    budget.left -= Math.max(INFLATE_CALL_BYTES, inflated.length);
    return inflated.toString("latin1");
  } catch {
    // Over the budget (it wrote `most` bytes), or damaged part way: charged as the most it can have written.
    budget.left -= Math.max(INFLATE_CALL_BYTES, Math.min(most, data.length * MOST_DEFLATE_RATIO));
    return "";
  }
}

/**
 * The page objects inside the FlateDecode object streams of `text` (the PDF's bytes as latin1). Each
 * stream is visited once: the search goes on past its endstream, whatever names its dictionary repeats.
 */
function pagesInObjectStreams(text: string, bytes: Buffer, budget: InflateBudget): number {
  let pages = 0;
  let after = 0; // the end of the last stream visited: a dictionary begins after it
  for (let at = text.indexOf("/ObjStm"); at !== -1 && budget.left > 0; at = text.indexOf("/ObjStm", after)) {
    const keyword = text.indexOf("stream", at);
    if (keyword === -1) break;
    const start = keyword + 6 + (text.startsWith("\r\n", keyword + 6) ? 2 : 1);
    const end = text.indexOf("endstream", start);
    if (end === -1) break;
    const dictionary = text.slice(dictionaryStart(text, at, after), keyword);
    after = end + 9;
    if (!dictionary.includes("/FlateDecode") || dictionary.includes("/DecodeParms")) continue;
    pages += countPages(inflateWithin(bytes.subarray(start, end), budget));
  }
  return pages;
}

/**
 * What a base64 file (line breaks and base64url allowed) says of its pages: null when it is no PDF,
 * else its pages, null when none can be found. `budget` bounds the inflating of the request's PDFs together.
 *
 * @example readPdf(btoa("%PDF-1.4 ... << /Type /Page ... >>")) // { pages: 1 }
 */
export function readPdf(base64: string, budget: InflateBudget = newInflateBudget()): { pages: number | null } | null {
  const bytes = Buffer.from(base64, "base64");
  // The one PDF test, the adapters' too: a %PDF- header within the first 1024 bytes, junk before it allowed.
  if (!isPdf(bytes)) return null;
  const text = bytes.toString("latin1");
  // Plain page objects and packed ones both: an incremental update adds plain objects to a packed file.
  const pages = countPages(text) + (text.includes("/ObjStm") ? pagesInObjectStreams(text, bytes, budget) : 0);
  return { pages: pages > 0 ? pages : null };
}

/**
 * The number of pages of a base64 PDF, or null when it is no PDF or none of its pages can be found.
 * @example pdfPageCount(btoa("%PDF-1.4 ... << /Type /Page ... >> ... << /Type /Page ... >>")) // 2
 */
export const pdfPageCount = (base64: string, budget?: InflateBudget): number | null => readPdf(base64, budget)?.pages ?? null;
