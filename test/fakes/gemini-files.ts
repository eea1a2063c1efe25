/**
 * The Gemini fake's Files API: it holds no files, so a generateContent part naming a Files API URI
 * (`fileData.fileUri` of https://generativelanguage.googleapis.com/v1beta/files/<id>: another project's
 * upload, or one past its 48 h TTL) is Google's 403 PERMISSION_DENIED "You do not have permission to
 * access the File <id> or it may not exist." (googleapis/python-genai#1218). Any other fileUri (a
 * plain https image) is fetched by Google, and the fake takes it as read.
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
