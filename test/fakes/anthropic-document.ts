/**
 * Anthropic's 400 for a document block it refuses, or null: a source that is no object, or a base64
 * source whose media_type is not application/pdf (its base64 document source takes PDF only; plain
 * text goes as a `text` source, https://platform.claude.com/docs/en/build-with-claude/pdf-support,
 * langchain-ai/langchain#37575) or whose data is not padded standard base64, in the words of its image
 * blocks' errors (anthropic-image.ts); a url source (the guide's URL-based PDF document, {type: "url",
 * url}: URLPDFSource) without a string url or with another field. Other sources (text, file, content)
 * are taken as read; a url source's file is not fetched.
 * The block's own fields are the Messages API's RequestDocumentBlock (additionalProperties false): a
 * `title` of 1 to 500 characters (code points, as pydantic counts) or null; any field it has not is
 * refused, as Anthropic refuses extra inputs.
 */
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The fields of a document block (RequestDocumentBlock). */
const DOCUMENT_FIELDS = new Set(["type", "source", "title", "context", "citations", "cache_control"]);

/** Anthropic's 400 for a document title it refuses, or null. */
function titleProblem(at: string, title: unknown): string | null {
  if (title == null) return null;
  if (typeof title !== "string") return `${at}.document.title: Input should be a valid string`;
  const length = [...title].length;
  if (length < 1) return `${at}.document.title: String should have at least 1 character`;
  return length > 500 ? `${at}.document.title: String should have at most 500 characters` : null;
}

/** `at` names the block (`messages.0.content.1`). */
export function documentBlockProblem(at: string, block: Record<string, unknown>): string | null {
  const extra = Object.keys(block).find((key) => !DOCUMENT_FIELDS.has(key));
  if (extra !== undefined) return `${at}.document.${extra}: Extra inputs are not permitted`;
  const title = titleProblem(at, block.title);
  if (title) return title;
  const source = block.source;
  if (!isObject(source)) return `${at}.document.source: Input should be a valid dictionary`;
  if (source.type === "url") {
    if (source.url === undefined) return `${at}.document.source.url.url: Field required`;
    if (typeof source.url !== "string") return `${at}.document.source.url.url: Input should be a valid string`;
    const other = Object.keys(source).find((key) => key !== "type" && key !== "url");
    return other === undefined ? null : `${at}.document.source.url.${other}: Extra inputs are not permitted`;
  }
  if (source.type !== "base64") return null;
  if (source.media_type !== "application/pdf") return `${at}.document.source.base64.media_type: Input should be 'application/pdf'`;
  if (typeof source.data !== "string") return `${at}.document.source.base64.data: Input should be a valid string`;
  return source.data.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(source.data) ? `${at}.document.source.base64: invalid base64 data` : null;
}
