/**
 * OpenAI content parts → Anthropic content blocks (https://docs.anthropic.com/en/docs/build-with-claude/vision):
 * text → text; a `data:` image URL → a base64 image source; an http(s) URL → a `url` image source.
 * Anything else (audio, files) Anthropic's Messages API cannot take from an OpenAI request: refused.
 */
import type { ContentPart } from "../types.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";

export type AnthropicBlock = Record<string, unknown> & { type: string };

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

/**
 * Splits `data:<media>;base64,<data>`; null when the URL is not a base64 data URL. The media type is
 * lower-cased, and `image/jpg` (not a registered type, but what many clients write) is `image/jpeg`:
 * Anthropic refuses image/jpg, and Gemini (which reads its data URLs through here) lists only image/jpeg.
 */
export function parseDataUrl(url: string): { mediaType: string; data: string } | null {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!match) return null;
  const mediaType = match[1]!.toLowerCase();
  return { mediaType: mediaType === "image/jpg" ? "image/jpeg" : mediaType, data: match[2]! };
}

function imageBlock(url: string, param: string): AnthropicBlock {
  if (url.startsWith("data:")) {
    const parsed = parseDataUrl(url);
    if (!parsed) throw new UnsupportedParameterError(param, "Image data URLs must be base64 encoded (data:<type>;base64,...).");
    if (!IMAGE_TYPES.has(parsed.mediaType)) {
      throw new UnsupportedParameterError(param, `Anthropic accepts image/jpeg, image/png, image/gif and image/webp, not ${parsed.mediaType}.`);
    }
    return { type: "image", source: { type: "base64", media_type: parsed.mediaType, data: parsed.data } };
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
