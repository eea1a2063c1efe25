/**
 * Anthropic's 400 for a document block it refuses, or null: a source that is no object, or a base64
 * source whose media_type is not application/pdf (its base64 document source takes PDF only; plain
 * text goes as a `text` source, https://platform.claude.com/docs/en/build-with-claude/pdf-support,
 * langchain-ai/langchain#37575) or whose data is not padded standard base64, in the words of its image
 * blocks' errors (anthropic-image.ts). Other sources (text, url, file, content) are taken as read.
 */
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** `at` names the block (`messages.0.content.1`). */
export function documentBlockProblem(at: string, block: Record<string, unknown>): string | null {
  const source = block.source;
  if (!isObject(source)) return `${at}.document.source: Input should be a valid dictionary`;
  if (source.type !== "base64") return null;
  if (source.media_type !== "application/pdf") return `${at}.document.source.base64.media_type: Input should be 'application/pdf'`;
  if (typeof source.data !== "string") return `${at}.document.source.base64.data: Input should be a valid string`;
  return source.data.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(source.data) ? `${at}.document.source.base64: invalid base64 data` : null;
}
