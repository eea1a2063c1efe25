/**
 * A `file` part's PDF as Anthropic's `document` block: a base64 application/pdf source, or for a PDF by
 * http(s) URL a url source, {type: "url", url}, which Anthropic fetches (../pdf-file-data.ts readPdfFile;
 * refused before on a Bedrock or Vertex id, platform-media-url.ts;
 * the PDF guide's URL-based PDF document) and, when the part names its file, that `filename` as the block's optional
 * `title` (https://platform.claude.com/docs/en/build-with-claude/pdf-support; the Messages API's
 * RequestDocumentBlock takes a title of 1 to 500 characters or null), which the model reads as the
 * document's name and citations quote back as document_title. The title is a name, nothing the answer
 * depends on, so a filename Anthropic would refuse as one never refuses the request (before the title
 * was sent, the filename was dropped and such requests served): no filename, null, "" or a value that
 * is not a string sends no title; one over 500 characters is sent as its first 500 (code points, never
 * half a surrogate pair).
 *
 * @example documentBlock({ type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } }, "messages[0].content[1]") // { type: "document", source: {...}, title: "a.pdf" }
 */
import { readPdfFile } from "../pdf-file-data.ts";
import type { ContentPart } from "../types.ts";

/** The longest title Anthropic takes, in characters (code points, as its validation counts them). */
const TITLE_MOST_CHARACTERS = 500;

export function documentBlock(part: ContentPart, partParam: string): Record<string, unknown> & { type: "document" } {
  const pdf = readPdfFile(part, partParam, "Anthropic");
  const source = "url" in pdf ? { type: "url", url: pdf.url } : { type: "base64", media_type: "application/pdf", data: pdf.data };
  // readPdfFile has checked that `file` is an object.
  const filename = ((part as { file?: unknown }).file as { filename?: unknown }).filename;
  if (typeof filename !== "string" || filename === "") return { type: "document", source };
  return { type: "document", source, title: firstCharacters(filename, TITLE_MOST_CHARACTERS) };
}

/** `text`'s first `most` code points (all of it when shorter): a surrogate pair is one, never split. */
function firstCharacters(text: string, most: number): string {
  // Each code point is 1 or 2 UTF-16 units: text of at most `most` units has at most `most` code points.
  if (text.length <= most) return text;
  let end = 0;
  for (let count = 0; count < most && end < text.length; count++) end += (text.codePointAt(end) ?? 0) > 0xffff ? 2 : 1;
  return text.slice(0, end);
}
