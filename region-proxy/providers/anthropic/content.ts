/**
 * OpenAI content parts → Anthropic content blocks (https://docs.anthropic.com/en/docs/build-with-claude/vision):
 * text → text; a `data:` image URL → a base64 image source (readImageDataUrl: of a type Anthropic
 * takes by its bytes, sent as that type whatever the label says; at most 5 MB of base64, MAX_IMAGE_BASE64,
 * and 8000 px a side, MAX_IMAGE_SIDE); an http(s) URL → a `url` image
 * source (refused before on a Bedrock or Vertex id, platform-media-url.ts); a file part's inline PDF → a `document` block with a base64 application/pdf source and its
 * filename as title (document-block.ts; ../pdf-file-data.ts: PDF only; a file_id the parser refuses,
 * ../../openai/vendor-file-references.ts); a part's `cache_control` goes on its block
 * (cache-control.ts). Anything else (audio, a field of a part the translation has no rule for,
 * message-fields.ts) Anthropic's Messages API cannot take from an OpenAI request: refused. An image or
 * a file in an assistant message is refused too (convertAssistantContent): Anthropic refuses image and
 * document blocks in an assistant turn.
 */
import type { ContentPart } from "../types.ts";
import { imageDimensions } from "../image-bytes.ts";
import { type ImageTypes, isDataUrl, isHttpUrl, readImageDataUrl } from "../image-data-url.ts";
import { NO_VENDOR_FIELDS, refusePartFields } from "../message-fields.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { documentBlock } from "./document-block.ts";
import { CACHE_CONTROL_FIELD, markBlock } from "./cache-control.ts";

export type AnthropicBlock = Record<string, unknown> & { type: string };

/** The image types Anthropic documents (https://docs.anthropic.com/en/docs/build-with-claude/vision). */
const IMAGE_TYPES: ImageTypes = { vendor: "Anthropic", types: ["image/jpeg", "image/png", "image/gif", "image/webp"] };

/**
 * The most base64 text Anthropic takes for one image: 5 MB, counted on the base64 as sent ("image
 * exceeds 5 MB maximum: 6500712 bytes > 5242880 bytes", gptme/gptme#185). OpenAI takes larger ones.
 */
export const MAX_IMAGE_BASE64 = 5 * 1024 * 1024;

/**
 * The longest side of an image Anthropic takes: "The maximal dimensions per image are 8000x8000 px"
 * (https://platform.claude.com/docs/en/build-with-claude/vision); a larger one is its 400 "At least
 * one of the image dimensions exceed max allowed size: 8000 pixels". Read from an inline image's
 * header (image-bytes.ts); one of a size the header does not tell is sent.
 */
export const MAX_IMAGE_SIDE = 8000;

/** An image URL as a block: read trimmed, as the parser checked it (../../openai/media-url.ts), so ' https://…' is a URL and ' data:…' data. */
function imageBlock(given: string, param: string): AnthropicBlock {
  const url = given.trim();
  if (isDataUrl(url)) {
    const { mediaType, data } = readImageDataUrl(url, param, IMAGE_TYPES);
    if (data.length > MAX_IMAGE_BASE64) {
      throw new UnsupportedParameterError(param, `Anthropic takes a base64 image of at most 5 MB (${MAX_IMAGE_BASE64} characters of base64); this one is ${data.length}. Send it smaller, or by http(s) URL.`);
    }
    const size = imageDimensions(data);
    if (size && (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE)) {
      throw new UnsupportedParameterError(param, `Anthropic takes images of at most ${MAX_IMAGE_SIDE}x${MAX_IMAGE_SIDE} px; this one is ${size.width}x${size.height}. Send it scaled down.`);
    }
    return { type: "image", source: { type: "base64", media_type: mediaType, data } };
  }
  if (isHttpUrl(url)) return { type: "image", source: { type: "url", url } };
  throw new UnsupportedParameterError(param, "Image URLs must be http(s) or base64 data URLs.");
}

/**
 * A text block, or none for text that is empty or only whitespace: Anthropic refuses such a block
 * ("messages: text content blocks must contain non-whitespace text"), and a model's tool-calling turn
 * often carries content "\n\n" that clients send back as is.
 */
const textBlocks = (text: string): AnthropicBlock[] => (text.trim() === "" ? [] : [{ type: "text", text }]);

/**
 * Converts one message's content to blocks; `param` names the message for error messages. OpenAI lets
 * an assistant message with tool_calls omit `content`, so a missing key counts as empty like null.
 * Whitespace-only text gives no block (textBlocks).
 */
export function convertContent(content: string | ContentPart[] | null | undefined, param: string): AnthropicBlock[] {
  if (content == null) return [];
  if (typeof content === "string") return textBlocks(content);
  return content.flatMap((part, i) => markedPartBlocks(part, `${param}.content[${i}]`));
}

/** The blocks of one content part, its cache_control on its block (a blank part with one: a 400 naming it). */
function markedPartBlocks(part: ContentPart, partParam: string): AnthropicBlock[] {
  refusePartFields(part, partParam, CACHE_CONTROL_FIELD);
  const blocks = partBlocks(part, partParam);
  const cacheControl = (part as { cache_control?: unknown }).cache_control;
  if (cacheControl != null) {
    if (blocks.length === 0) throw new UnsupportedParameterError(`${partParam}.cache_control`, "This part sends this provider no content (only whitespace), so there is nothing to cache up to.");
    markBlock(blocks[0]!, cacheControl, `${partParam}.cache_control`);
  }
  return blocks;
}

/**
 * convertContent for a system or developer message: text parts only (refuseNonTextParts), one system
 * block each. A blank part sends no block, so a cache_control on it asks to cache up to the end of the
 * text before it: it goes on the previous block of the same message (as when the message was one block
 * of its joined text and a blank last part's breakpoint marked it); with none before it, the 400 stays.
 *
 * @example convertSystemContent([{ type: "text", text: "Be terse." }, { type: "text", text: "\n", cache_control: { type: "ephemeral" } }], "messages[0]") // [{ type: "text", text: "Be terse.", cache_control: { type: "ephemeral" } }]
 */
export function convertSystemContent(content: string | ContentPart[] | null | undefined, param: string): AnthropicBlock[] {
  refuseNonTextParts(content, param, CACHE_CONTROL_FIELD);
  if (!Array.isArray(content)) return convertContent(content, param);
  const blocks: AnthropicBlock[] = [];
  content.forEach((part, i) => {
    const partParam = `${param}.content[${i}]`;
    const cacheControl = (part as { cache_control?: unknown }).cache_control;
    const previous = blocks.at(-1);
    if (cacheControl != null && previous && (part as { text: string }).text.trim() === "") markBlock(previous, cacheControl, `${partParam}.cache_control`);
    else blocks.push(...markedPartBlocks(part, partParam));
  });
  return blocks;
}

/**
 * Why an image or a file in an assistant message is refused: Anthropic answers the block with 400
 * "messages.N.content: 'image' blocks are not permitted within assistant turns." after the call, in its
 * own numbering (epam/ai-dial-adapter-bedrock#306); a document block is a user turn's as well, and
 * OpenAI's spec has file parts in user messages only.
 */
const USER_ONLY: ReadonlyMap<string, string> = new Map([
  ["image_url", "Anthropic does not accept images in assistant messages ('image' blocks are not permitted within assistant turns); send the image in a user message instead."],
  ["file", "Anthropic does not accept files in assistant messages (document blocks are a user turn's); send the file in a user message instead."],
]);

/**
 * convertContent for an assistant message: an image or file part is refused first, naming its type,
 * before the call (a fallback then skips the deployment instead of ending its walk on Anthropic's 400).
 */
export function convertAssistantContent(content: string | ContentPart[] | null | undefined, param: string): AnthropicBlock[] {
  if (Array.isArray(content)) {
    const k = content.findIndex((part) => USER_ONLY.has(part.type));
    if (k >= 0) throw new UnsupportedParameterError(`${param}.content[${k}].type`, USER_ONLY.get(content[k]!.type)!);
  }
  return convertContent(content, param);
}

function partBlocks(part: ContentPart, partParam: string): AnthropicBlock[] {
  if (part.type === "text" && typeof part.text === "string") return textBlocks(part.text);
  if (part.type === "image_url") {
    const url = (part.image_url as { url?: unknown } | undefined)?.url;
    if (typeof url !== "string") throw new UnsupportedParameterError(`${partParam}.image_url.url`, "image_url.url must be a string.");
    return [imageBlock(url, `${partParam}.image_url.url`)];
  }
  if (part.type === "file") return [documentBlock(part, partParam)];
  throw new UnsupportedParameterError(`${partParam}.type`, `Content parts of type '${part.type}' are not supported by this model's provider.`);
}

/**
 * Refuses, naming it, any part of a system/developer/tool message that is not text (only text parts
 * make sense there), or that carries a field other than `vendorFields`, the ones the calling adapter
 * translates beyond OpenAI's (message-fields.ts). A string (or no content) has no parts to refuse.
 */
export function refuseNonTextParts(content: string | ContentPart[] | null | undefined, param: string, vendorFields: ReadonlySet<string> = NO_VENDOR_FIELDS): void {
  if (!Array.isArray(content)) return;
  content.forEach((part, i) => {
    refusePartFields(part, `${param}.content[${i}]`, vendorFields);
    if (part.type !== "text" || typeof part.text !== "string") throw new UnsupportedParameterError(`${param}.content[${i}].type`, `Only text parts are allowed in this message, not '${part.type}'.`);
  });
}

/**
 * The text of each part of a system/developer/tool message (a string is one part), after
 * refuseNonTextParts. The parts are kept apart: joined with "" the words of adjacent parts would run
 * together ("You are terse." + "Answer in French.").
 */
export function textParts(content: string | ContentPart[] | null | undefined, param: string, vendorFields: ReadonlySet<string> = NO_VENDOR_FIELDS): string[] {
  refuseNonTextParts(content, param, vendorFields);
  if (content == null) return [];
  if (typeof content === "string") return [content];
  return content.map((part) => (part as { text: string }).text);
}
