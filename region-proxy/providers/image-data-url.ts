/**
 * A `data:` URL image part as a vendor takes it inline: base64, of an image type that vendor
 * documents, with data whose bytes are an image of a type it documents. Anything else is a 400
 * naming the part before the call, since the vendor would refuse it with a 400 of its own that names
 * no OpenAI parameter (Gemini: "Unsupported MIME type: image/svg+xml"); so is data that is not
 * base64 (inline-base64.ts). The type sent is the one the bytes are (image-bytes.ts), not the label:
 * OpenAI takes a JPEG labelled image/png, Anthropic refuses it ("Image does not match the provided
 * media type image/png"); so any image/* label, a blank one or application/octet-stream is taken
 * when the bytes are an image the vendor takes.
 */
import { sniffImageType } from "./image-bytes.ts";
import { readBase64 } from "./inline-base64.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

/**
 * Whether `url` is a `data:` URL, its scheme in any case (RFC 3986 §3.1: schemes are case-insensitive):
 * the adapters' and the parser's one test of it, before parseDataUrl.
 */
export const isDataUrl = (url: string): boolean => /^data:/i.test(url);

/**
 * Whether `url` (read trimmed, as the parser checks it: ../openai/media-url.ts) is an http(s) URL: its
 * scheme in any case, then `//` and the authority. `https:host/a.pdf`, which the WHATWG parser reads
 * leniently as https://host/a.pdf, is none: the adapters' and the parser's one test of it, for image URLs
 * and a file part's file_data alike (pdf-file-data.ts readPdfFile).
 *
 * @example isHttpUrl("HTTPS://example.com/a.png") // true
 * @example isHttpUrl("https:example.com/a.pdf") // false
 */
export const isHttpUrl = (url: string): boolean => /^https?:\/\//i.test(url);

/**
 * Splits `data:<media>[;<parameter>]*;base64,<data>`; null when the URL is not a base64 data URL. The
 * header (up to the first comma) is RFC 2397's `data:[<type>/<subtype>] *(;<parameter>);base64`: it
 * starts `data:` and ends `;base64`, both in any case; the media type is what lies before its first
 * `;`. Read with indexOf and slices, no regular expression: a pattern over the header backtracked on
 * one of a million `;` (hundreds of ms of the shared loop a call, and null past ~4M characters). The
 * media type may be blank (`data:;base64,`, as Ollama's clients send) and is lower-cased; parameters
 * (`;name=a.png`) are dropped. Images and files (pdf-file-data.ts), the parser's check
 * (../openai/inline-data.ts) and the prompt estimate (../limits/media-tokens.ts) alike, so none takes a
 * header another cannot read.
 *
 * @example parseDataUrl("data:Application/PDF;name=a.pdf;base64,JVBERi0=") // { mediaType: "application/pdf", data: "JVBERi0=" }
 */
export function parseDataUrl(url: string): { mediaType: string; data: string } | null {
  const comma = url.indexOf(",");
  // "data:;base64" is the shortest header (12 characters); its ";base64" ends right before the comma.
  if (comma < 12 || !isDataUrl(url) || url.slice(comma - 7, comma).toLowerCase() !== ";base64") return null;
  const semi = url.indexOf(";", 5); // before the comma: at the latest the ";" of ";base64"
  return { mediaType: url.slice(5, semi).toLowerCase(), data: url.slice(comma + 1) };
}

/**
 * An image data URL's parts, `image/jpg` (not a registered type, but what many clients write) read as
 * `image/jpeg`: Anthropic and Gemini both refuse image/jpg and list image/jpeg.
 */
function parseImageDataUrl(url: string): { mediaType: string; data: string } | null {
  const parsed = parseDataUrl(url);
  return parsed?.mediaType === "image/jpg" ? { ...parsed, mediaType: "image/jpeg" } : parsed;
}

/** The words of the 400s for image data that is empty or not base64. */
const IMAGE_DATA = { what: "The image data", empty: "The image data URL holds no data after 'base64,'." };

/** The image types a vendor documents, and its name for the refusal. */
export interface ImageTypes {
  vendor: string;
  types: readonly string[];
}

/**
 * The media type (the one its bytes are) and data of a `data:` image URL `vendor` takes; `param`
 * names the part's image_url.url in the 400 for one it does not: labelled with a type that is no
 * image type, holding no data, data that is not base64, or bytes that are no image of a type it takes.
 * Unpadded base64 and base64url are sent as padded standard base64 (readBase64).
 *
 * @example readImageDataUrl("data:image/png;base64,/9j/4AAQ", "messages[0].content[1].image_url.url", { vendor: "Gemini", types: ["image/png", "image/jpeg"] }) // { mediaType: "image/jpeg", data: "/9j/4AAQ" }
 */
export function readImageDataUrl(url: string, param: string, accepted: ImageTypes): { mediaType: string; data: string } {
  const parsed = parseImageDataUrl(url);
  if (!parsed) throw new UnsupportedParameterError(param, "Image data URLs must be base64 encoded (data:<type>;base64,...).");
  if (!mayBeImage(parsed.mediaType)) requireImageType(parsed.mediaType, param, accepted);
  const data = readBase64(parsed.data, param, IMAGE_DATA);
  const sniffed = sniffImageType(data);
  if (sniffed === null) throw new UnsupportedParameterError(param, `The image data is not an image ${accepted.vendor} accepts: its first bytes are those of no ${listed(accepted.types, "or")} image.`);
  if (!accepted.types.includes(sniffed)) {
    // Labelled as what it is: the same words as an image URL of that type (requireImageType).
    if (parsed.mediaType.toLowerCase() === sniffed) requireImageType(sniffed, param, accepted);
    const label = parsed.mediaType === "" ? "with no type" : `labelled ${parsed.mediaType}`;
    throw new UnsupportedParameterError(param, `${accepted.vendor} accepts ${listed(accepted.types)}; the image data, ${label}, is ${sniffed}.`);
  }
  return { mediaType: sniffed, data };
}

/**
 * A label the bytes decide: any image/* type (a JPEG labelled image/heic or image/avif), none, or
 * application/octet-stream. Only a label that says the data is something else (text/html) is refused.
 */
const mayBeImage = (mediaType: string) => mediaType === "" || mediaType === "application/octet-stream" || mediaType.startsWith("image/");

/**
 * The 400 naming `param` for an image of a type `accepted` does not list; the same words for an inline
 * image and one a vendor would fetch by URL.
 *
 * @example requireImageType("image/gif", "messages[0].content[0].image_url.url", { vendor: "Gemini", types: ["image/png"] }) // throws "Gemini accepts image/png, not image/gif."
 */
export function requireImageType(mediaType: string, param: string, accepted: ImageTypes): void {
  if (!accepted.types.includes(mediaType)) throw new UnsupportedParameterError(param, `${accepted.vendor} accepts ${listed(accepted.types)}, not ${mediaType}.`);
}

/** The types as a list in words: "a, b and c", or with `conjunction` "or" after "no" ("no a, b or c"). */
const listed = (types: readonly string[], conjunction: "and" | "or" = "and") => (types.length === 1 ? types[0]! : `${types.slice(0, -1).join(", ")} ${conjunction} ${types.at(-1)}`);
