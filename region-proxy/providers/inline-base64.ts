/**
 * Base64 data a client sends inline (an image or file data URL's data, or a file part's bare base64),
 * read once for the adapters that send it on: image-data-url.ts and pdf-file-data.ts; the parser
 * refuses data that is empty or no base64 for every vendor first (base64Problem).
 */
import { withoutLineBreaks } from "./image-bytes.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

/** The words of the 400s: `what` names the data ("The image data"); `empty` is the refusal of none. */
export interface Base64Words {
  what: string;
  empty: string;
}

/**
 * `given` as padded standard base64 (standardBase64), the spaces and line breaks of MIME-style base64
 * left out first (withoutLineBreaks); `param` names the part in the 400 for data that is empty or not
 * base64.
 *
 * @example readBase64("JVBE\r\nRi0", "messages[0].content[1].file.file_data", { what: "The file data", empty: "The file data holds no data." }) // "JVBERi0="
 */
export function readBase64(given: string, param: string, words: Base64Words): string {
  const data = withoutLineBreaks(given);
  if (data === "") throw new UnsupportedParameterError(param, words.empty);
  const standard = standardBase64(data);
  if (standard === null) throw new UnsupportedParameterError(param, `${notBase64(words)}.`);
  return standard;
}

/**
 * Why `given` is no inline base64 any vendor could read (empty, or not base64 as readBase64 reads it),
 * or null: the parser's check (../openai/inline-data.ts), which refuses such data for every vendor.
 *
 * @example base64Problem("%%%", { what: "the file data", empty: "the file data holds no data" }) // "the file data is not base64: ..."
 */
export function base64Problem(given: string, words: Base64Words): string | null {
  const data = withoutLineBreaks(given);
  if (data === "") return words.empty;
  return isBase64(data) ? null : notBase64(words);
}

const notBase64 = (words: Base64Words) => `${words.what} is not base64: only A-Z, a-z, 0-9, + and / (or base64url's - and _), optionally padded with = to a multiple of 4 characters`;

/**
 * Whether `data` (line breaks left out) is base64 as standardBase64 reads it: refused are other
 * characters, = other than up to two at the end of a multiple of 4, and a length no base64 has
 * (4n+1). One pass, nothing allocated: the parser's check (base64Problem) of data the adapter then
 * reads again (a 5 MB base64url image no longer mapped twice).
 */
function isBase64(data: string): boolean {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(data) || data.length % 4 === 1) return false;
  return !data.endsWith("=") || data.length % 4 === 0;
}

/**
 * The data as standard base64 (RFC 4648 section 4), padded, which Anthropic alone decodes (it answers
 * anything else with 400 "...image.source.base64: invalid base64 data"); null for data that is no
 * base64 (isBase64). Gemini decodes protobuf-JSON bytes, which may also be unpadded or base64url (- and
 * _), and clients send those (Go's RawStdEncoding, Rust's STANDARD_NO_PAD): they are mapped and
 * padded, not refused. Linear: the data may be megabytes.
 */
function standardBase64(data: string): string | null {
  if (!isBase64(data)) return null;
  if (data.endsWith("=")) return data.replace(/[-_]/g, (c) => (c === "-" ? "+" : "/"));
  const standard = /[-_]/.test(data) ? data.replace(/[-_]/g, (c) => (c === "-" ? "+" : "/")) : data;
  return standard + "=".repeat((4 - (standard.length % 4)) % 4);
}
