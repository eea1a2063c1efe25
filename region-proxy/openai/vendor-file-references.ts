/**
 * Content parts that name a file stored at a vendor, refused while the request is parsed
 * (check-message.ts), for every vendor alike and so before the limits step and any call: a `file`
 * part's `file.file_id` (OpenAI's Files API, https://platform.openai.com/docs/api-reference/chat/create,
 * which Azure serves too) and a media URL on Gemini's API host, where its Files API lives
 * (https://generativelanguage.googleapis.com/v1beta/files/<id>, https://ai.google.dev/gemini-api/docs/files;
 * media-url.ts). The vendor reads such a file with the gateway's own credential, in the operator's
 * vendor account, and the gateway has no files route: a client cannot have uploaded anything there
 * through it, so the part can only name a file someone else put there (another tenant's upload, the
 * operator's own), and the vendor's 403-or-answer would tell whether it exists. A file sent inline
 * (`file.file_data`, a base64 data: URL) reads nothing stored and is taken where the vendor takes it.
 *
 * The Files URL is refused whatever deployment the request goes to: it names a Gemini file however it
 * is sent, a chain may fall back from any vendor to Gemini, and no other vendor can fetch it (Google
 * answers an unauthenticated fetch with 403), so the rule costs nothing elsewhere.
 */

const FILE_ID_REFUSED =
  "this gateway has no files endpoint, so a file_id could only name a file stored under the gateway's own vendor account, which requests may not read; send the file inline instead, as file.file_data (a base64 data: URL, e.g. data:application/pdf;base64,...)";

/** Why a media URL on Gemini's API host is refused (mediaUrlProblem's words for it). */
export const GEMINI_FILES_URL_REFUSED =
  "this URL names a file in Gemini's Files API, which the gateway would read with its own vendor account, and requests may not read files stored there; send the image inline instead, as a base64 data: URL";

/**
 * The path and problem of a `file` part's `file_id` (even beside inline data: the vendor would still
 * read the stored file), or null; `at` names the part (`messages[0].content[1]`). A null file_id is none.
 *
 * @example fileIdInPart({ type: "file", file: { file_id: "file-abc" } }, "messages[0].content[1]") // { param: "messages[0].content[1].file.file_id", ... }
 */
export function fileIdInPart(part: Record<string, unknown>, at: string): { param: string; problem: string } | null {
  if (part.type !== "file") return null;
  const file = part.file;
  if (typeof file === "object" && file !== null && (file as { file_id?: unknown }).file_id != null) return { param: `${at}.file.file_id`, problem: FILE_ID_REFUSED };
  return null;
}

/** Gemini's API host: its Files API lives there, and nothing else on it is media a part should fetch. */
const GEMINI_API_HOST = "generativelanguage.googleapis.com";

/**
 * Whether `url` is on Gemini's API host. The URL parser has already lower-cased the host and decoded
 * its %2E and full-width dots; a trailing dot (the fully qualified name) reaches the same host.
 */
export const namesGeminiFile = (url: URL): boolean => url.hostname.replace(/\.$/, "") === GEMINI_API_HOST;
