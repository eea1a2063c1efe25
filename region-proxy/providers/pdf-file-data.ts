/**
 * A `file` content part's inline PDF (`{type: "file", file: {file_data: "data:application/pdf;base64,...",
 * filename}}`, the file input Chat Completions takes, https://developers.openai.com/docs/guides/pdf-files)
 * as the translating adapters send it: Anthropic as a `document` block with a base64 application/pdf
 * source (https://platform.claude.com/docs/en/build-with-claude/pdf-support: its base64 document source
 * takes no other type), Gemini as `inlineData` of application/pdf
 * (https://ai.google.dev/gemini-api/docs/document-processing: other documents it reads as plain text
 * only). So only a PDF is taken; anything else is a 400 naming the part's file.file_data before the call,
 * as the vendor would refuse it after the call in words naming no OpenAI parameter. The bytes decide,
 * as for images (image-data-url.ts): a PDF labelled with no type or application/octet-stream, or sent
 * as bare base64, is sent as application/pdf. Size and page limits are the vendor's to answer
 * (Anthropic 32 MB a request, 100 or 600 pages by model; Gemini 1,000 pages).
 */
import { standardBase64, withoutLineBreaks } from "./image-data-url.ts";
import type { ContentPart } from "./types.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

/** Labels the bytes decide: none, or one that says only "bytes". */
const LABELS = new Set(["", "application/octet-stream", "application/pdf"]);

/** Base64 characters enough for the first 1024 bytes, where PDF readers look for the header. */
const HEADER_CHARS = 1368;

/**
 * The standard base64 data of a file part's PDF; `partParam` names the part (`messages[0].content[1]`)
 * and `vendor` the provider in the 400 for one that is not a PDF sent inline. A file_id never gets
 * here: the parser refuses it (../openai/vendor-file-references.ts).
 *
 * @example readPdfFileData({ type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0xLjQ=" } }, "messages[0].content[1]", "Gemini") // "JVBERi0xLjQ="
 */
export function readPdfFileData(part: ContentPart, partParam: string, vendor: string): string {
  const file = (part as { file?: unknown }).file;
  if (typeof file !== "object" || file === null || Array.isArray(file)) throw new UnsupportedParameterError(`${partParam}.file`, "A file part's file must be an object holding file_data.");
  const param = `${partParam}.file.file_data`;
  const fileData = (file as { file_data?: unknown }).file_data;
  if (typeof fileData !== "string") throw new UnsupportedParameterError(param, "A file part needs file.file_data: the PDF as a base64 data: URL (data:application/pdf;base64,...).");
  let mediaType = "";
  let given = fileData;
  if (fileData.startsWith("data:")) {
    const match = /^data:([^;,]*);base64,(.*)$/s.exec(fileData);
    if (!match) throw new UnsupportedParameterError(param, "File data URLs must be base64 encoded (data:application/pdf;base64,...).");
    mediaType = match[1]!.toLowerCase();
    given = match[2]!;
  }
  if (!LABELS.has(mediaType)) throw new UnsupportedParameterError(param, `${vendor} accepts files of type application/pdf only, not ${mediaType}.`);
  given = withoutLineBreaks(given);
  if (given === "") throw new UnsupportedParameterError(param, "The file data holds no data.");
  const data = standardBase64(given);
  if (data === null) throw new UnsupportedParameterError(param, "The file data is not base64: only A-Z, a-z, 0-9, + and / (or base64url's - and _), optionally padded with = to a multiple of 4 characters.");
  const head = Buffer.from(data.slice(0, HEADER_CHARS), "base64").toString("latin1");
  if (!head.includes("%PDF-")) throw new UnsupportedParameterError(param, `${vendor} accepts PDF files only, and the file data is no PDF (no %PDF- header in its first bytes).`);
  return data;
}
