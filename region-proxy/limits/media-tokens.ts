/**
 * The prompt tokens of a request's images and files for the deployment's model (estimate-prompt-tokens.ts
 * adds them to its text's): each `image_url` part by image-tokens.ts's rule, at the size its inline bytes
 * say (../providers/image-bytes.ts) or, fetched by URL, at the model's worst case; each `file` part (a PDF,
 * which only OpenAI-format vendors take: the Anthropic and Gemini adapters refuse file parts) by its
 * pages (pdf-pages.ts), each page PDF_PAGE_TEXT_TOKENS of text and the image of the page that OpenAI
 * puts in the context beside it. Only requests with such parts pay anything here; what a part's bytes
 * say is read once per part (PART_FACTS), as the estimate runs several times per request.
 */
import { imageDimensions, type ImageSize } from "../providers/image-bytes.ts";
import type { ContentPart } from "../providers/types.ts";
import { type ImageDetail, imageRuleFor } from "./image-tokens.ts";
import { type InflateBudget, newInflateBudget, pdfPageCount } from "./pdf-pages.ts";

/**
 * The text of one PDF page: Anthropic's PDF guide gives 1,500-3,000 tokens per page by how dense it is
 * (https://platform.claude.com/docs/en/build-with-claude/pdf-support, "Estimate your costs"); OpenAI
 * documents no figure. The upper end is taken.
 */
export const PDF_PAGE_TEXT_TOKENS = 3000;
/**
 * The most pages a request's files count together, and the pages of a file whose pages cannot be read
 * (an uploaded `file_id`, which the proxy does not fetch; data that is no PDF it can read): the per-request
 * page limit of PDF input (Anthropic's 100 pages per request; Gemini's 100 pages per request).
 */
export const MOST_PDF_PAGES = 100;

/** What a part's bytes say: an image's size (null: unknown), a file's pages (null: unknown). */
type PartFacts = { size: ImageSize | null } | { pages: number | null };
const PART_FACTS = new WeakMap<object, PartFacts>();

/** The base64 data of a `data:` URL, or null for any other URL. */
function dataOf(url: string): string | null {
  if (!url.startsWith("data:")) return null;
  const comma = url.indexOf(",");
  return comma === -1 || !url.slice(0, comma).endsWith(";base64") ? null : url.slice(comma + 1);
}

function imageSizeOf(part: ContentPart): ImageSize | null {
  const known = PART_FACTS.get(part);
  if (known && "size" in known) return known.size;
  const url = ((part as Record<string, unknown>).image_url as { url?: unknown } | undefined)?.url;
  const data = typeof url === "string" ? dataOf(url) : null;
  const size = data === null ? null : imageDimensions(data);
  PART_FACTS.set(part, { size });
  return size;
}

/**
 * A file part's pages: its `file_data` (a data URL, or bare base64) read as a PDF, its object streams
 * inflated within the request's `budget`; null when unknown.
 */
function pagesOf(part: ContentPart, budget: InflateBudget): number | null {
  const known = PART_FACTS.get(part);
  if (known && "pages" in known) return known.pages;
  const fileData = ((part as Record<string, unknown>).file as { file_data?: unknown } | undefined)?.file_data;
  const data = typeof fileData !== "string" ? null : fileData.startsWith("data:") ? dataOf(fileData) : fileData;
  const pages = data === null ? null : pdfPageCount(data, budget);
  PART_FACTS.set(part, { pages });
  return pages;
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
  const budget = newInflateBudget(); // the request's PDFs together
  for (const part of parts) {
    if (part.type === "image_url") tokens += rule.tokens(imageSizeOf(part), detailOf(part));
    else pages += pagesOf(part, budget) ?? MOST_PDF_PAGES;
  }
  if (pages > 0) tokens += Math.min(pages, MOST_PDF_PAGES) * (PDF_PAGE_TEXT_TOKENS + rule.tokens(null, rule.pdfPageDetail));
  return tokens;
}
