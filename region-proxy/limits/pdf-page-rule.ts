/**
 * What one page of an inline PDF costs the deployment's model, and how many pages its vendor takes at
 * most, of a request's files together (OpenAI, Anthropic) or of each file (Gemini), for the prompt
 * estimate (media-tokens.ts): the budget and TPM reservations hold it before the call and a call cut
 * before its usage arrived is charged it. A vendor answers a request past its page limit with a 400 and
 * bills nothing, so what is past the limit counts nothing, and a model that may take more is given the
 * larger limit (the worst case). A limit taken per request where the vendor's is per file would hold
 * less than it bills: three 900-page PDFs on gemini-2.5-flash are 2,700 pages billed, not 1,000.
 *
 * The vendors' documentation, as each rule cites it:
 * - OpenAI / Azure (https://developers.openai.com/docs/guides/pdf-files): "we put into the model's
 *   context both the extracted text and an image of each page". A page's text is PDF_PAGE_TEXT_TOKENS
 *   (OpenAI documents no figure: Anthropic's upper end), its image the model's image rule at the
 *   detail a Chat Completions file is read at (image-tokens.ts, pdfPageDetail). 100 pages a request.
 *   A model no rule knows (an Azure deployment named otherwise, a compatible server) is counted so.
 * - Anthropic (https://platform.claude.com/docs/en/build-with-claude/pdf-support): each page is
 *   converted to an image and its text extracted beside it; "Estimate your costs" gives 1,500-3,000
 *   tokens of text per page "plus image costs": PDF_PAGE_TEXT_TOKENS and the page by the model's image
 *   rule. "Maximum pages per request: 600 (100 when the request's context window is under 1M
 *   tokens)": Claude Opus 4.6, Sonnet 4.6 and later have a 1M context window (their model pages,
 *   platform.claude.com/docs/en/models/…/overview); earlier models have 200k (Sonnet 4 and 4.5 reach
 *   1M only with a beta header the proxy never sends). An id naming no version is taken for a newer
 *   model, as claude-generation.ts takes it: 600. The limit is media-count.ts maxMedia, which the
 *   Anthropic adapter refuses by.
 * - Gemini (https://ai.google.dev/gemini-api/docs/document-processing, /tokens): PDFs are read with
 *   native vision, "each document page is equivalent to 258 tokens" (Gemini 2 and 1.5), no text beside
 *   it; Gemini 3 gives a PDF page the tokens of its media resolution, medium (560) by default for PDFs
 *   (https://ai.google.dev/gemini-api/docs/media-resolution, "Token counts"; Gemini 3 developer guide),
 *   and the proxy never sets one. A name saying no version (gemini-flash-latest) may be either: 560.
 *   Documents "up to 1000 pages", a limit per file, not per request: Vertex AI's table
 *   (https://cloud.google.com/vertex-ai/docs/generative-ai/multimodal/document-understanding) gives
 *   Gemini 2.0 and 2.5 "Maximum number of pages per file: 1,000" and "Maximum number of files per
 *   prompt: 3,000" (Gemini 3 Pro preview 900 and 900: 1,000, the larger, is taken). A request past the
 *   files a prompt is refused and billed nothing, so no cap on files is needed.
 */
import { maxMedia } from "../providers/anthropic/media-count.ts";
import { geminiSeries } from "../providers/gemini/model-version.ts";
import { imageRuleFor } from "./image-tokens.ts";
import { baseModelName, isClaudeId } from "./model-name.ts";

/**
 * The text of one PDF page where the vendor puts it beside the page's image: Anthropic's PDF guide
 * gives 1,500-3,000 tokens per page by how dense it is; OpenAI documents no figure. The upper end is taken.
 */
export const PDF_PAGE_TEXT_TOKENS = 3000;

export interface PdfPageRule {
  /** Tokens of one page: its text and image, or the vendor's per-page figure. */
  pageTokens: number;
  /** The most pages the vendor takes: of a request's files together, or of each file (`per`). */
  mostPages: number;
  /** What `mostPages` bounds: the request's files together (OpenAI, Anthropic) or each file (Gemini). */
  per: "request" | "file";
}

/** OpenAI's 100 pages a request (Anthropic's, by model, are media-count.ts maxMedia). */
const OPENAI_PAGES_PER_REQUEST = 100;
/** Gemini's pages a file (document). */
const GEMINI_PAGES = 1000;
const GEMINI_2_PAGE_TOKENS = 258;
/** Gemini 3's default (medium) media resolution for a PDF page. */
const GEMINI_3_PAGE_TOKENS = 560;

/** A page's text and its image by `vendorModel`'s image rule, at the detail its vendor reads a page at. */
function textAndImage(vendorModel: string, mostPages: number): PdfPageRule {
  const image = imageRuleFor(vendorModel);
  return { pageTokens: PDF_PAGE_TEXT_TOKENS + image.tokens(null, image.pdfPageDetail), mostPages, per: "request" };
}

/**
 * How `vendorModel`'s vendor counts a PDF's pages.
 * @example pdfPageRuleFor("gemini-2.5-flash") // { pageTokens: 258, mostPages: 1000, per: "file" }
 * @example pdfPageRuleFor("gpt-4o") // { pageTokens: 3085, mostPages: 100, per: "request" }
 */
export function pdfPageRuleFor(vendorModel: string): PdfPageRule {
  const m = baseModelName(vendorModel);
  const gemini = geminiSeries(m);
  if (gemini !== null) return { pageTokens: gemini <= 2 ? GEMINI_2_PAGE_TOKENS : GEMINI_3_PAGE_TOKENS, mostPages: GEMINI_PAGES, per: "file" };
  if (m.startsWith("gemini")) return { pageTokens: GEMINI_3_PAGE_TOKENS, mostPages: GEMINI_PAGES, per: "file" };
  // Claude ids as the adapters read them (Bedrock's anthropic.claude-…, Vertex's …@date), as image-tokens.ts does.
  if (isClaudeId(m)) return textAndImage(vendorModel, maxMedia(m));
  return textAndImage(vendorModel, OPENAI_PAGES_PER_REQUEST);
}
