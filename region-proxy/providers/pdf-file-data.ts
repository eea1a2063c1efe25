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
 * (Anthropic 32 MB a request, 100 or 600 pages by model; Gemini 1,000 pages). A file_data that is an
 * http(s) URL (image-data-url.ts isHttpUrl once trimmed, OpenRouter's form, openrouter.ai/docs/features/multimodal/pdfs;
 * no base64 holds a colon, so nothing that is data is taken for one; the parser holds it to the media URL rule) is the
 * file by URL (readPdfFile), for the vendor to fetch: Anthropic's document block takes a url source
 * (the PDF guide's "URL-based PDF document", source {type: "url", url}), Gemini a fileData fileUri
 * (external https URLs, a PDF among them: blog.google "Increased file size limits and expanded inputs
 * support in Gemini API"; its adapter sends image URLs so), an OpenAI-format deployment gets it as
 * sent. Its type is the vendor's to tell from what it fetches.
 */
import { isDataUrl, isHttpUrl, parseDataUrl } from "./image-data-url.ts";
import { readBase64 } from "./inline-base64.ts";
import type { ContentPart } from "./types.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

/** Labels the bytes decide: none, or one that says only "bytes". */
const LABELS = new Set(["", "application/octet-stream", "application/pdf"]);

/** The words of the 400s for file data that is empty or not base64. */
const FILE_DATA = { what: "The file data", empty: "The file data holds no data." };

/** How far into a file PDF readers look for its `%PDF-` header (PDF 1.7 Implementation note 13: Acrobat requires it within the first 1024 bytes). */
const PDF_HEADER_WITHIN = 1024;
/** Base64 characters enough for the first PDF_HEADER_WITHIN bytes (4 for every 3). */
const HEADER_CHARS = Math.ceil(PDF_HEADER_WITHIN / 3) * 4;

/**
 * Whether `bytes` (a file, or at least its first 1024 bytes) are a PDF: `%PDF-` wholly within the
 * first 1024 bytes, as PDF readers look (junk before it allowed). The one test of PDF bytes, for the
 * adapters (readPdfFileData) and the prompt estimate alike.
 *
 * @example isPdf(Buffer.from("%PDF-1.7\n...")) // true
 */
export function isPdf(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, PDF_HEADER_WITHIN)).includes("%PDF-");
}

/**
 * A file part's PDF as a translating adapter sends it: by `url` when its file_data is an http(s) URL
 * (trimmed, as the parser checked it: ../openai/media-url.ts), else its `data` (readPdfFileData);
 * `partParam` names the part (`messages[0].content[1]`) and `vendor` the provider in the 400s.
 *
 * @example readPdfFile({ type: "file", file: { file_data: "https://example.com/a.pdf" } }, "messages[0].content[1]", "Anthropic") // { url: "https://example.com/a.pdf" }
 */
export function readPdfFile(part: ContentPart, partParam: string, vendor: string): { url: string } | { data: string } {
  const param = `${partParam}.file.file_data`;
  const fileData = fileOf(part, partParam).file_data;
  if (typeof fileData !== "string") throw new UnsupportedParameterError(param, "A file part needs file.file_data: the PDF as a base64 data: URL (data:application/pdf;base64,...).");
  const trimmed = fileData.trim();
  return isHttpUrl(trimmed) ? { url: trimmed } : { data: readPdfFileData(fileData, param, vendor) };
}

/** A file part's `file`, refused (naming `${partParam}.file`) when it is no object. */
function fileOf(part: ContentPart, partParam: string): { file_data?: unknown } {
  const file = (part as { file?: unknown }).file;
  if (typeof file !== "object" || file === null || Array.isArray(file)) throw new UnsupportedParameterError(`${partParam}.file`, "A file part's file must be an object holding file_data.");
  return file as { file_data?: unknown };
}

/**
 * The standard base64 data of a PDF sent inline as a file part's `fileData` (not an http(s) URL:
 * readPdfFile sends that by URL); `param` names its file.file_data and `vendor` the provider in the
 * 400 for one that is not a PDF. A file_id never gets here: the parser refuses it
 * (../openai/vendor-file-references.ts).
 *
 * @example readPdfFileData("data:application/pdf;base64,JVBERi0xLjQ=", "messages[0].content[1].file.file_data", "Gemini") // "JVBERi0xLjQ="
 */
function readPdfFileData(fileData: string, param: string, vendor: string): string {
  let mediaType = "";
  let given = fileData;
  if (isDataUrl(fileData)) {
    const parsed = parseDataUrl(fileData);
    if (!parsed) throw new UnsupportedParameterError(param, "File data URLs must be base64 encoded (data:application/pdf;base64,...).");
    ({ mediaType, data: given } = parsed);
  }
  if (!LABELS.has(mediaType)) throw new UnsupportedParameterError(param, `${vendor} accepts files of type application/pdf only, not ${mediaType}.`);
  const data = readBase64(given, param, FILE_DATA);
  if (!isPdf(Buffer.from(data.slice(0, HEADER_CHARS), "base64"))) throw new UnsupportedParameterError(param, `${vendor} accepts PDF files only, and the file data is no PDF (no %PDF- header in its first bytes).`);
  return data;
}
