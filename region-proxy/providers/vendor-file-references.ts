/**
 * Content parts that name a file stored at the vendor, refused before any call on every adapter: a
 * `file` part's `file.file_id` (OpenAI's Files API, https://platform.openai.com/docs/api-reference/chat/create,
 * which Azure serves too) and an image URL of Gemini's Files API
 * (https://generativelanguage.googleapis.com/v1beta/files/<id>, https://ai.google.dev/gemini-api/docs/files).
 * The vendor reads such a file with the gateway's own credential, in the operator's vendor account,
 * and the gateway has no files route: a client cannot have uploaded anything there through it, so the
 * part can only name a file someone else put there (another tenant's upload, the operator's own), and
 * the vendor's 403-or-answer would tell whether it exists. A file sent inline (`file.file_data`, a
 * base64 data: URL) reads nothing stored and is taken where the vendor takes it.
 */
import type { ChatMessage, ContentPart } from "./types.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

const FILE_ID_REFUSED =
  "This gateway has no files endpoint, so a file_id could only name a file stored under the gateway's own vendor account, which requests may not read. Send the file inline instead, as file.file_data (a base64 data: URL, e.g. data:application/pdf;base64,...).";

const FILES_API_URL_REFUSED =
  "This URL names a file in Gemini's Files API, which the gateway would read with its own vendor account; requests may not read files stored there. Send the image inline instead, as a base64 data: URL.";

/**
 * Refuses a `file` part that names a `file_id`, even beside inline data (the vendor would still read
 * the stored file); `partParam` names the part (`messages[0].content[1]`). Any other part passes.
 */
export function refuseFileId(part: ContentPart, partParam: string): void {
  if (part.type !== "file") return;
  const file = (part as { file?: unknown }).file;
  if (typeof file === "object" && file !== null && (file as { file_id?: unknown }).file_id != null) throw new UnsupportedParameterError(`${partParam}.file.file_id`, FILE_ID_REFUSED);
}

/**
 * refuseFileId over every part of every message, for the adapters that pass the client's messages
 * through as sent (OpenAI, Azure): the first file_id found is refused, whatever the message's role.
 */
export function refuseFileIds(messages: readonly ChatMessage[]): void {
  messages.forEach((message, i) => {
    if (!Array.isArray(message.content)) return;
    message.content.forEach((part, k) => refuseFileId(part, `messages[${i}].content[${k}]`));
  });
}

/** Gemini's API host: its Files API lives there, and nothing else on it is an image a part should fetch. */
const GEMINI_API_HOST = "generativelanguage.googleapis.com";

/**
 * Refuses an image URL on Gemini's API host (`param` names its image_url.url): Gemini would read the
 * file it names with the gateway's key. Any other http(s) URL is fetched by Google as a public URL.
 */
export function refuseGeminiFileUrl(url: URL, param: string): void {
  // The URL parser lower-cases the host; a trailing dot (the fully qualified name) reaches the same host.
  if (url.hostname.replace(/\.$/, "") === GEMINI_API_HOST) throw new UnsupportedParameterError(param, FILES_API_URL_REFUSED);
}
