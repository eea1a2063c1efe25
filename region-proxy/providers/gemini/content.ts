/**
 * OpenAI content parts → Gemini parts (https://ai.google.dev/api/caching#Part): text → `text`, a
 * base64 `data:` URL → `inlineData` (readImageDataUrl: of an image type Gemini documents by its
 * bytes, sent as that type), an http(s) URL → `fileData` with a MIME type guessed from the
 * extension (Gemini requires one; an unknown extension is sent as image/jpeg), refused like an
 * inline image when the extension names a type Gemini does not take (.gif); a URL on Gemini's own
 * API host (a Files API file, read with the gateway's key) never gets here: the parser refuses it for
 * every vendor (../../openai/vendor-file-references.ts), as it does a file_id. A file part's inline PDF
 * → `inlineData` of application/pdf (https://ai.google.dev/gemini-api/docs/document-processing;
 * ../pdf-file-data.ts: PDF only), one by http(s) URL → `fileData` of application/pdf with that URL
 * (Gemini fetches external https URLs, as for an image URL; a URL it will not fetch, plain http or to a
 * Gemini 2.0 or older model, is refused before the call for both: external-url.ts), in a user message only
 * (convertModelContent: OpenAI's spec has file parts there alone).
 * Audio parts are refused, and so is a field of a part the translation has no rule for
 * (message-fields.ts), Anthropic's cache_control included: Gemini has no per-part cache breakpoint.
 */
import type { ContentPart } from "../types.ts";
import { refusePartFields } from "../message-fields.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { type ImageTypes, isDataUrl, isHttpUrl, readImageDataUrl, requireImageType } from "../image-data-url.ts";
import { readPdfFile } from "../pdf-file-data.ts";
import { refuseUnfetchableUrl } from "./external-url.ts";

export type GeminiPart = Record<string, unknown>;

/**
 * The image types Gemini documents (https://ai.google.dev/gemini-api/docs/image-understanding); it
 * answers others, inline, with 400 "Unsupported MIME type". GIF is not listed, so it is not sent.
 */
const IMAGE_TYPES: ImageTypes = { vendor: "Gemini", types: ["image/png", "image/jpeg", "image/webp", "image/heic", "image/heif"] };

// A Map, not an object: a URL ending in ".constructor" must not find Object.prototype's members.
const BY_EXTENSION = new Map(Object.entries({ png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp", heic: "image/heic", heif: "image/heif" }));

/** The URL, parsed; a URL that does not parse is the client's mistake (400), not ours. */
function parsed(url: string, param: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new UnsupportedParameterError(param, "Image URLs must be valid http(s) URLs.");
  }
}

/** An image URL as a part: read trimmed, as the parser checked it (../../openai/media-url.ts), so ' https://…' is a URL and ' data:…' data. */
function imagePart(given: string, param: string, model: string): GeminiPart {
  const url = given.trim();
  if (isDataUrl(url)) {
    const { mediaType, data } = readImageDataUrl(url, param, IMAGE_TYPES);
    return { inlineData: { mimeType: mediaType, data } };
  }
  if (isHttpUrl(url)) {
    const target = parsed(url, param);
    const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(target.pathname)?.[1]?.toLowerCase() ?? "";
    const mimeType = BY_EXTENSION.get(ext) ?? "image/jpeg";
    // Gemini answers a type it does not take with the same 400 by URL as inline: refused before the call.
    requireImageType(mimeType, param, IMAGE_TYPES);
    refuseUnfetchableUrl(url, param, model);
    return { fileData: { mimeType, fileUri: url } };
  }
  throw new UnsupportedParameterError(param, "Image URLs must be http(s) or base64 data URLs.");
}

/**
 * Converts one message's content to parts; `param` names the message for error messages, `model` is the
 * deployment's model id (a media URL it cannot fetch is refused: external-url.ts; "" names none). OpenAI
 * lets an assistant message with tool_calls omit `content`, so a missing key counts as empty like null.
 */
export function convertContent(content: string | ContentPart[] | null | undefined, param: string, model = ""): GeminiPart[] {
  if (content == null) return [];
  if (typeof content === "string") return content === "" ? [] : [{ text: content }];
  return content.flatMap((part, i): GeminiPart[] => {
    const partParam = `${param}.content[${i}]`;
    refusePartFields(part, partParam);
    if (part.type === "text" && typeof part.text === "string") return part.text === "" ? [] : [{ text: part.text }];
    if (part.type === "image_url") {
      const url = (part.image_url as { url?: unknown } | undefined)?.url;
      if (typeof url !== "string") throw new UnsupportedParameterError(`${partParam}.image_url.url`, "image_url.url must be a string.");
      return [imagePart(url, `${partParam}.image_url.url`, model)];
    }
    if (part.type === "file") {
      const pdf = readPdfFile(part, partParam, "Gemini");
      if ("url" in pdf) refuseUnfetchableUrl(pdf.url, `${partParam}.file.file_data`, model);
      return ["url" in pdf ? { fileData: { mimeType: "application/pdf", fileUri: pdf.url } } : { inlineData: { mimeType: "application/pdf", data: pdf.data } }];
    }
    throw new UnsupportedParameterError(`${partParam}.type`, `Content parts of type '${part.type}' are not supported by this model's provider.`);
  });
}

/**
 * convertContent for an assistant message (a `model` turn): a file part is refused, naming its type,
 * as OpenAI's spec has file parts in user messages only. Images are sent: Gemini takes them in model
 * turns (its multi-turn image editing replays the model's own images there).
 */
export function convertModelContent(content: string | ContentPart[] | null | undefined, param: string, model = ""): GeminiPart[] {
  if (Array.isArray(content)) {
    const k = content.findIndex((part) => part.type === "file");
    if (k >= 0) throw new UnsupportedParameterError(`${param}.content[${k}].type`, "A file part may only be sent in a user message; send the file in a user message instead.");
  }
  return convertContent(content, param, model);
}
