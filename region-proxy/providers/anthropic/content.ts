/**
 * OpenAI content parts → Anthropic content blocks (https://docs.anthropic.com/en/docs/build-with-claude/vision):
 * text → text; a `data:` image URL → a base64 image source (readImageDataUrl: of a type Anthropic
 * takes, with data); an http(s) URL → a `url` image source.
 * Anything else (audio, files) Anthropic's Messages API cannot take from an OpenAI request: refused.
 */
import type { ContentPart } from "../types.ts";
import { type ImageTypes, readImageDataUrl } from "../image-data-url.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";

export type AnthropicBlock = Record<string, unknown> & { type: string };

/** The image types Anthropic documents (https://docs.anthropic.com/en/docs/build-with-claude/vision). */
const IMAGE_TYPES: ImageTypes = { vendor: "Anthropic", types: ["image/jpeg", "image/png", "image/gif", "image/webp"] };

function imageBlock(url: string, param: string): AnthropicBlock {
  if (url.startsWith("data:")) {
    const { mediaType, data } = readImageDataUrl(url, param, IMAGE_TYPES);
    return { type: "image", source: { type: "base64", media_type: mediaType, data } };
  }
  if (/^https?:\/\//i.test(url)) return { type: "image", source: { type: "url", url } };
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
  return content.flatMap((part, i): AnthropicBlock[] => {
    const partParam = `${param}.content[${i}]`;
    if (part.type === "text" && typeof part.text === "string") return textBlocks(part.text);
    if (part.type === "image_url") {
      const url = (part.image_url as { url?: unknown } | undefined)?.url;
      if (typeof url !== "string") throw new UnsupportedParameterError(`${partParam}.image_url.url`, "image_url.url must be a string.");
      return [imageBlock(url, `${partParam}.image_url.url`)];
    }
    throw new UnsupportedParameterError(`${partParam}.type`, `Content parts of type '${part.type}' are not supported by this model's provider.`);
  });
}

/** The text of a system/developer/tool message; only text parts make sense there. */
export function textOnly(content: string | ContentPart[] | null | undefined, param: string): string {
  if (content == null) return "";
  if (typeof content === "string") return content;
  return content
    .map((part, i) => {
      if (part.type === "text" && typeof part.text === "string") return part.text;
      throw new UnsupportedParameterError(`${param}.content[${i}].type`, `Only text parts are allowed in this message, not '${part.type}'.`);
    })
    .join("");
}
