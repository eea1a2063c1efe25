/**
 * The prompt tokens of a request's images and files for the deployment's model (estimate-prompt-tokens.ts
 * adds them to its text's): each `image_url` part by image-tokens.ts's rule, at the size its inline bytes
 * say (../providers/image-bytes.ts) or, fetched by URL, at the model's worst case; each `file` part (an
 * inline PDF: OpenAI and Azure take it as sent, the Anthropic adapter as a document block and the Gemini
 * adapter as inline application/pdf, ../providers/pdf-file-data.ts) by its pages (pdf-pages.ts), each
 * page as the model's vendor counts one and up to the pages it takes (pdf-page-rule.ts: its text and
 * image on OpenAI and Anthropic, a flat figure on Gemini; the request's files together on OpenAI and
 * Anthropic, each file on Gemini). Only requests with such parts pay anything
 * here; what a part's bytes say is read once per part (PART_FACTS), as the estimate runs several times
 * per request and for each deployment tried.
 *
 * A file the proxy cannot read is counted at what it could be billed, or (a file by URL) at a stated
 * modest guess, never at a count past any model's context (300k-900k tokens once, which refused good
 * requests as too large):
 * - an http(s) URL in `file_data` (OpenRouter's form, ../providers/image-data-url.ts isHttpUrl once trimmed): the
 *   vendor fetches the file, so its pages are unknown; it is counted at URL_PDF_PAGES (5) pages, each as
 *   the model's vendor counts a page (its characters are no data). Not the most pages the vendor takes
 *   (pdf-page-rule.ts mostPages): that was 308,500 tokens on gpt-4o, 460,000 on Claude Sonnet 4.5,
 *   2,760,000 on Claude Opus 4.6, past each model's context window, and made every PDF by URL a "Request
 *   too large" on any TPM level under it. The vendor's usage settles the charge and the TPM counter.
 * - a `file_id`: 0. The request parser refuses it with a 400 (../openai/vendor-file-references.ts, via
 *   check-message.ts), before the limits step, so the estimate never meets one on the request path;
 *   the branch is kept as a harmless one that no vendor could bill, never a reason to refuse as too large.
 * - data that is no PDF: its bytes as text, a token per 4 (the estimate's chars/4). OpenAI answers it
 *   with a 400 and the Anthropic and Gemini adapters refuse it before the call (pdf-file-data.ts), so
 *   this is what a server that reads it as text might bill, never more than the body holds.
 * - a PDF whose pages cannot be found (packed in streams the reader cannot open, or past the request's
 *   inflate budget): its bytes read the same way, in pages of PDF_PAGE_TEXT_TOKENS (one per 12,000
 *   bytes, at least one), each counted as the model's vendor counts a page. The vendor's usage corrects
 *   the charge afterwards. */
import { imageDimensions, type ImageSize } from "../providers/image-bytes.ts";
import { isDataUrl, isHttpUrl, parseDataUrl } from "../providers/image-data-url.ts";
import type { ContentPart } from "../providers/types.ts";
import { type ImageDetail, imageRuleFor } from "./image-tokens.ts";
import { PDF_PAGE_TEXT_TOKENS, type PdfPageRule, pdfPageRuleFor } from "./pdf-page-rule.ts";
import { type InflateBudget, newInflateBudget, readPdf } from "./pdf-pages.ts";

/** Bytes a token, as the estimate counts text it cannot tokenize (estimate-prompt-tokens.ts). */
const BYTES_PER_TOKEN = 4;

/**
 * What a file part's bytes say: its pages (a PDF, read or sized by its bytes), or the tokens of data
 * that is no PDF, or nothing (no data, or a file_id, which the parser refuses first).
 */
type FileFacts = { pages: number } | { textTokens: number };
/** What a part's bytes say: an image's size (null: unknown), a file's facts. */
type PartFacts = { size: ImageSize | null } | { file: FileFacts };
const PART_FACTS = new WeakMap<object, PartFacts>();

/**
 * The base64 data of a `data:` URL, or null for any other URL: read as the adapters and the parser
 * read it (../providers/image-data-url.ts parseDataUrl: RFC 2397 parameters, as in
 * `data:application/pdf;name=doc.pdf;base64,`, and the scheme and base64 token in any case), so a
 * file part a vendor is sent is counted (one this could not read would count nothing; an image, the
 * model's worst case).
 */
const dataOf = (url: string): string | null => parseDataUrl(url)?.data ?? null;

function imageSizeOf(part: ContentPart): ImageSize | null {
  const known = PART_FACTS.get(part);
  if (known && "size" in known) return known.size;
  const url = ((part as Record<string, unknown>).image_url as { url?: unknown } | undefined)?.url;
  // Trimmed, as the parser checks it and Anthropic and Gemini send it (../openai/media-url.ts).
  const data = typeof url === "string" ? dataOf(url.trim()) : null;
  const size = data === null ? null : imageDimensions(data);
  PART_FACTS.set(part, { size });
  return size;
}

/**
 * The pages a PDF the vendor fetches by URL is counted at: its size is unknown before the call, so any
 * figure is a guess; a short document's (an invoice, a letter, a paper's first pages) is taken: on
 * gpt-4o 5 × 3,085 = 15,425 tokens, on Claude before 4.7 23,000, on Gemini 2.x 1,290 a file, well
 * inside every model's context window. A longer file is reserved less than it bills until the vendor's
 * usage settles the charge; its worst case (the vendor's page cap) is past every model's context window.
 */
export const URL_PDF_PAGES = 5;
const UNKNOWN_PAGES: FileFacts = { pages: URL_PDF_PAGES };

/**
 * A file part's facts: its `file_data` (a data URL, or bare base64) read as a PDF, its object streams
 * inflated within the request's `budget`; an http(s) URL there, URL_PDF_PAGES pages.
 */
function fileFactsOf(part: ContentPart, budget: InflateBudget): FileFacts {
  const known = PART_FACTS.get(part);
  if (known && "file" in known) return known.file;
  const file = (part as Record<string, unknown>).file as { file_data?: unknown; file_id?: unknown } | undefined;
  const fileData = file?.file_data;
  const data = typeof fileData !== "string" || file?.file_id != null ? null : isDataUrl(fileData) ? dataOf(fileData) : fileData;
  let facts: FileFacts = { textTokens: 0 };
  if (data !== null && isHttpUrl(data.trim())) facts = UNKNOWN_PAGES;
  else if (data !== null) {
    const bytes = Buffer.byteLength(data, "base64");
    const pdf = readPdf(data, budget);
    if (pdf === null) facts = { textTokens: Math.ceil(bytes / BYTES_PER_TOKEN) };
    else facts = { pages: pdf.pages ?? Math.max(1, Math.ceil(bytes / BYTES_PER_TOKEN / PDF_PAGE_TEXT_TOKENS)) };
  }
  PART_FACTS.set(part, { file: facts });
  return facts;
}

const detailOf = (part: ContentPart): ImageDetail => {
  const detail = ((part as Record<string, unknown>).image_url as { detail?: unknown } | undefined)?.detail;
  return detail === "low" || detail === "high" ? detail : "auto";
};

/** Whether a content part is one this module counts. */
export const isMediaPart = (part: ContentPart | null | undefined): part is ContentPart => !!part && (part.type === "image_url" || part.type === "file");

/**
 * The tokens of `parts` (image_url and file parts) for `vendorModel`.
 * @example mediaTokens([{ type: "image_url", image_url: { url: "https://example.com/a.png", detail: "low" } }], "gpt-4o") // 85
 */
export function mediaTokens(parts: readonly ContentPart[], vendorModel: string): number {
  const rule = imageRuleFor(vendorModel);
  let tokens = 0;
  let pages = 0;
  let page: PdfPageRule | null = null; // read at the first PDF: most requests have none
  const budget = newInflateBudget(); // the request's PDFs together
  for (const part of parts) {
    if (part.type === "image_url") tokens += rule.tokens(imageSizeOf(part), detailOf(part));
    else {
      const facts = fileFactsOf(part, budget);
      if (!("pages" in facts)) tokens += facts.textTokens;
      else {
        page ??= pdfPageRuleFor(vendorModel);
        pages += page.per === "file" ? Math.min(facts.pages, page.mostPages) : facts.pages;
      }
    }
  }
  if (page !== null) tokens += (page.per === "request" ? Math.min(pages, page.mostPages) : pages) * page.pageTokens;
  return tokens;
}
