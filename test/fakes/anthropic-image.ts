/**
 * Anthropic's 400 for a base64 image block it refuses, or null: a media_type outside the four it
 * documents (https://docs.anthropic.com/en/docs/build-with-claude/vision), or data whose bytes are not
 * an image of the declared media_type ("messages.0.content.1.image.source.base64.data: Image does not
 * match the provided media type image/png", anthropics/claude-code#12699): OpenAI takes a JPEG
 * labelled image/png, Anthropic does not; nor data over 5 MB of base64, nor an image over 8000 px a
 * side (of a PNG or GIF, whose header the fake reads; manyImagesProblem for the 2000 px of many images). The bytes' type is read from their signatures. Data that
 * is not padded standard base64 is its decode error "...image.source.base64: invalid base64 data"
 * (anthropics/anthropic-sdk-typescript#603); the fake takes no whitespace in it either.
 */
/** The most base64 text Anthropic takes for one image ("image exceeds 5 MB maximum: 6500712 bytes > 5242880 bytes", gptme/gptme#185). */
const MAX_BASE64 = 5 * 1024 * 1024;
const MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Whether the first bytes are those of an image of `mediaType`. */
function bytesAre(mediaType: string, head: Buffer): boolean {
  const text = (from: number, to: number) => head.toString("latin1", from, to);
  if (mediaType === "image/jpeg") return head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
  if (mediaType === "image/png") return text(0, 8) === "\x89PNG\r\n\x1a\n";
  if (mediaType === "image/gif") return text(0, 6) === "GIF87a" || text(0, 6) === "GIF89a";
  return text(0, 4) === "RIFF" && text(8, 12) === "WEBP";
}

/** `at` names the block (`messages.0.content.1`). */
export function imageBlockProblem(at: string, block: Record<string, unknown>): string | null {
  const source = block.source;
  if (!isObject(source)) return `${at}.image.source: Input should be a valid dictionary`;
  if (source.type !== "base64") return null;
  if (typeof source.media_type !== "string" || !MEDIA_TYPES.includes(source.media_type)) return `${at}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
  if (typeof source.data !== "string") return `${at}.image.source.base64.data: Input should be a valid string`;
  if (source.data.length > MAX_BASE64) return `${at}.image.source.base64: image exceeds 5 MB maximum: ${source.data.length} bytes > ${MAX_BASE64} bytes`;
  if (source.data.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(source.data)) return `${at}.image.source.base64: invalid base64 data`;
  const head = Buffer.from(source.data.slice(0, 16), "base64");
  if (!bytesAre(source.media_type, head)) return `${at}.image.source.base64.data: Image does not match the provided media type ${source.media_type}`;
  return longestSide(source.data) > 8000 ? `${at}.image.source.base64.data: At least one of the image dimensions exceed max allowed size: 8000 pixels` : null;
}

/**
 * The longer side of a base64 PNG or GIF from its header, 0 for other types (the fake reads no other
 * header): what Anthropic's limits on image dimensions are checked against.
 */
export function longestSide(data: string): number {
  const head = Buffer.from(data.slice(0, 32), "base64");
  if (head.length >= 24 && head.toString("latin1", 1, 4) === "PNG" && head.toString("latin1", 12, 16) === "IHDR") return Math.max(head.readUInt32BE(16), head.readUInt32BE(20));
  if (head.length >= 10 && head.toString("latin1", 0, 3) === "GIF") return Math.max(head.readUInt16LE(6), head.readUInt16LE(8));
  return 0;
}

/**
 * Anthropic's 400 for an image over 2000 px a side in a request of more than 20 images ("At least one
 * of the image dimensions exceed max allowed size for many-image requests: 2000 pixels",
 * anthropics/claude-code#9375), or null. `images` are the request's image blocks with where each is.
 */
export function manyImagesProblem(images: Array<{ at: string; block: Record<string, unknown> }>): string | null {
  if (images.length <= 20) return null;
  for (const { at, block } of images) {
    const source = block.source as { type?: unknown; data?: unknown } | undefined;
    if (source?.type === "base64" && typeof source.data === "string" && longestSide(source.data) > 2000) {
      return `${at}.image.source.base64.data: At least one of the image dimensions exceed max allowed size for many-image requests: 2000 pixels`;
    }
  }
  return null;
}
