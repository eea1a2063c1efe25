/**
 * The Gemini fake's Files API: it holds no files, so a generateContent part naming a Files API URI
 * (`fileData.fileUri` of https://generativelanguage.googleapis.com/v1beta/files/<id>: another project's
 * upload, or one past its 48 h TTL) is Google's 403 PERMISSION_DENIED "You do not have permission to
 * access the File <id> or it may not exist." (googleapis/python-genai#1218). Any other fileUri (a
 * plain https image) is fetched by Google, and the fake takes it as read, except on a Gemini 2.0 or 1.x
 * model, which fetches no external URL: 400 INVALID_ARGUMENT "Invalid or unsupported file uri: <uri>"
 * (BoundaryML/baml#1548, gemini-2.0-flash; googleapis/python-genai#71, gemini-1.5-flash).
 *
 * @example unreadableFile([{ parts: [{ fileData: { fileUri: "https://generativelanguage.googleapis.com/v1beta/files/abc" } }] }]) // "You do not have permission to access the File abc or it may not exist."
 */
import type { Content } from "./gemini-request.ts";

const FILES_URI = /^https:\/\/generativelanguage\.googleapis\.com\/v1beta\/files\/([^/?#]+)/;

/** The message of Google's 403 for the first Files API file the contents name, or null when they name none. */
export function unreadableFile(contents: Content[]): string | null {
  for (const content of contents) {
    for (const part of content.parts) {
      const uri = (part.fileData as { fileUri?: unknown } | undefined)?.fileUri;
      const id = typeof uri === "string" ? FILES_URI.exec(uri)?.[1] : undefined;
      if (id !== undefined) return `You do not have permission to access the File ${id} or it may not exist.`;
    }
  }
  return null;
}

/** Models that fetch no external fileUri: Gemini 1.x and 2.0 (2.5 and later do). */
const NO_EXTERNAL_URLS = /^gemini-(1\.|2\.0)/;

/** Google's 400 message for the first external fileUri `model` cannot fetch, or null. */
export function unsupportedFileUri(model: string, contents: Content[]): string | null {
  if (!NO_EXTERNAL_URLS.test(model)) return null;
  for (const content of contents) {
    for (const part of content.parts) {
      const uri = (part.fileData as { fileUri?: unknown } | undefined)?.fileUri;
      if (typeof uri === "string" && !FILES_URI.test(uri)) return `Invalid or unsupported file uri: ${uri}`;
    }
  }
  return null;
}
