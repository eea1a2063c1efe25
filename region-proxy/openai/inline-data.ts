/**
 * Inline data in a content part that no vendor can read, refused while the request is parsed
 * (check-message.ts), for every vendor alike: an image_url `data:` URL that is not base64 encoded
 * (RFC 2397: `data:[<type>][;<parameter>];base64,<data>`, read as the adapters read it,
 * ../providers/image-data-url.ts parseDataUrl), holds no data or data that is no base64;
 * a `file` part whose `file` is no object, that has no `file_data` (its `file_id` the parser refuses
 * before: vendor-file-references.ts), or whose data is no base64. OpenAI answers such a part with its
 * own 400 ("Invalid image URL: 'messages[0].content[1].image_url.url'. Expected a base64-encoded data
 * URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got empty
 * base64-encoded bytes"), Anthropic and Gemini with their decode errors, self-hosted servers (vLLM,
 * LM Studio) read base64 data URLs only. Refused in an adapter, the walk would skip the deployment as
 * for a parameter only its vendor cannot take (walk-chain.ts) and send the request on to the next one,
 * a call the gateway knew would fail. Base64 is read as the adapters read it (../providers/inline-base64.ts:
 * unpadded, base64url and MIME line breaks taken); what only one vendor refuses (an image type, bytes
 * that are no PDF) stays the adapters' to refuse (../providers/image-data-url.ts, pdf-file-data.ts).
 * A file_data that is an http(s) URL once trimmed (OpenRouter's form, image-data-url.ts isHttpUrl) is no data but a media URL:
 * held to the rule image URLs are (media-url.ts mediaUrlProblem, allowPrivateHosts as for them) and,
 * if it passes, left to the adapters (an OpenAI-format vendor gets it as sent; Anthropic and Gemini
 * are sent it by URL, pdf-file-data.ts readPdfFile).
 *
 * @example inlineDataInPart({ type: "image_url", image_url: { url: "data:image/png;base64," } }, "messages[0].content[1]") // { param: "messages[0].content[1].image_url.url", ... }
 */
import { isDataUrl, isHttpUrl, parseDataUrl } from "../providers/image-data-url.ts";
import { base64Problem, type Base64Words } from "../providers/inline-base64.ts";
import { mediaUrlProblem } from "./media-url.ts";
import { isRecord } from "../../shared/is-record.ts";

const IMAGE_DATA: Base64Words = { what: "the image data", empty: "the image data URL holds no data after 'base64,'" };
const FILE_DATA: Base64Words = { what: "the file data", empty: "the file data holds no data" };


/** Why a `data:` URL (`kind` names it: "image", "file") holds no base64 any vendor reads, or null; its header read as the adapters read it (parseDataUrl). */
function dataUrlProblem(url: string, kind: string, words: Base64Words): string | null {
  const parsed = parseDataUrl(url);
  if (!parsed) return `a${kind === "image" ? "n" : ""} ${kind} data URL must be base64 encoded: data:<type>;base64,<data>`;
  return base64Problem(parsed.data, words);
}

/**
 * The path and problem of a part's inline data no vendor can read, or null; `at` names the part
 * (`messages[0].content[1]`). Only what may be read as data: an image URL starting `data:` once
 * trimmed (mediaUrlProblem reads it so, and lets it pass as data), a file part's file_data (an http(s)
 * URL there is checked as a media URL, allowPrivateHosts as for mediaUrlProblem).
 */
export function inlineDataInPart(part: Record<string, unknown>, at: string, allowPrivateHosts = false): { param: string; problem: string } | null {
  if (part.type === "image_url") {
    const given = isRecord(part.image_url) ? part.image_url.url : undefined;
    // Trimmed, as media-url.ts reads it: a data: URL after whitespace passes the media URL rule as data,
    // so its data is checked here too, not sent on unread.
    const url = typeof given === "string" ? given.trim() : null;
    const problem = url !== null && isDataUrl(url) ? dataUrlProblem(url, "image", IMAGE_DATA) : null;
    return problem === null ? null : { param: `${at}.image_url.url`, problem };
  }
  if (part.type !== "file") return null;
  if (!isRecord(part.file)) return { param: `${at}.file`, problem: "expected an object holding file_data" };
  const data = part.file.file_data;
  const param = `${at}.file.file_data`;
  if (typeof data !== "string") return { param, problem: "expected the file's data as a base64 data: URL (data:application/pdf;base64,...)" };
  const problem = isHttpUrl(data.trim()) ? mediaUrlProblem(data, allowPrivateHosts) : isDataUrl(data) ? dataUrlProblem(data, "file", FILE_DATA) : base64Problem(data, FILE_DATA);
  return problem === null ? null : { param, problem };
}
