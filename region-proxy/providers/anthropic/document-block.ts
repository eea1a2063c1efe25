/**
 * A `file` part's inline PDF as Anthropic's `document` block: a base64 application/pdf source
 * (../pdf-file-data.ts) and, when the part names its file, that `filename` as the block's optional
 * `title` (https://platform.claude.com/docs/en/build-with-claude/pdf-support; the Messages API's
 * RequestDocumentBlock takes a title of 1 to 500 characters or null), which the model reads as the
 * document's name and citations quote back as document_title. No filename, null or "" sends no title;
 * a filename Anthropic would refuse as a title (not a string, over 500 characters) is a 400 naming
 * file.filename before the call, as Anthropic's own 400 would name no OpenAI parameter.
 *
 * @example documentBlock({ type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } }, "messages[0].content[1]") // { type: "document", source: {...}, title: "a.pdf" }
 */
import { readPdfFileData } from "../pdf-file-data.ts";
import type { ContentPart } from "../types.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";

/** The longest title Anthropic takes, in characters (code points, as its validation counts them). */
const TITLE_MOST_CHARACTERS = 500;

export function documentBlock(part: ContentPart, partParam: string): Record<string, unknown> & { type: "document" } {
  const data = readPdfFileData(part, partParam, "Anthropic");
  const source = { type: "base64", media_type: "application/pdf", data };
  // readPdfFileData has checked that `file` is an object.
  const filename = ((part as { file?: unknown }).file as { filename?: unknown }).filename;
  if (filename == null || filename === "") return { type: "document", source };
  const param = `${partParam}.file.filename`;
  if (typeof filename !== "string") throw new UnsupportedParameterError(param, "A file's filename must be a string.");
  const characters = [...filename].length;
  if (characters > TITLE_MOST_CHARACTERS) throw new UnsupportedParameterError(param, `Anthropic takes a file's filename (as its document's title) of at most ${TITLE_MOST_CHARACTERS} characters; this one has ${characters}.`);
  return { type: "document", source, title: filename };
}
