/**
 * The image type of base64 image data, read from its first bytes (the formats' signatures), not
 * from the label a client put on it: clients often label a JPEG `data:image/png` (OpenAI takes it),
 * and Anthropic refuses a media_type that is not the bytes' type ("Image does not match the
 * provided media type image/png"). Only the first 16 characters (12 bytes) are decoded.
 *
 * Also the image's width and height (imageDimensions), which the prompt estimate prices images by
 * (../limits/image-tokens.ts): read from the format's header, decoding only the bytes it needs.
 */

/** ISO BMFF major brands (bytes 8-11 after "ftyp") of HEIC images, and of other HEIF images. */
const HEIC_BRANDS = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"]);
const HEIF_BRANDS = new Set(["mif1", "msf1"]);

const ascii = (bytes: Buffer, from: number, to: number) => bytes.toString("latin1", from, to);
const startsWith = (bytes: Buffer, signature: readonly number[]) => signature.every((b, i) => bytes[i] === b);

/**
 * image/jpeg, image/png, image/gif, image/webp, image/heic or image/heif by the data's first bytes;
 * null for bytes that are none of them.
 *
 * @example sniffImageType("/9j/4AAQSkZJRgAB") // "image/jpeg"
 */
export function sniffImageType(base64: string): string | null {
  const head = Buffer.from(base64.slice(0, 16), "base64");
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (ascii(head, 0, 6) === "GIF87a" || ascii(head, 0, 6) === "GIF89a") return "image/gif";
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") return "image/webp";
  if (ascii(head, 4, 8) === "ftyp") {
    const brand = ascii(head, 8, 12);
    if (HEIC_BRANDS.has(brand)) return "image/heic";
    if (HEIF_BRANDS.has(brand)) return "image/heif";
  }
  return null;
}

/** Base64 characters per 3 bytes; byte i is decoded from the 4-character group at floor(i / 3) * 4. */
const GROUP = 4;

/**
 * `length` bytes of base64 `data` from byte `start` (fewer at the end of the data), decoding only the
 * groups that hold them. Node's decoder takes standard base64 and base64url, padded or not.
 */
function bytesAt(data: string, start: number, length: number): Buffer {
  const from = Math.floor(start / 3) * GROUP;
  const to = Math.ceil((start + length) / 3) * GROUP;
  const skip = start % 3;
  return Buffer.from(data.slice(from, to), "base64").subarray(skip, skip + length);
}

/**
 * The JPEG prefixes walked for the frame header, decoded at once: the first 64 KiB hold it but for an
 * APP segment of EXIF with a big thumbnail (or a colour profile) before it; markers past 1 MiB are not
 * looked for.
 */
const JPEG_PREFIXES = [64 << 10, 1 << 20];

/**
 * The JPEG frame header's size in `bytes` (a prefix of the file): the segments from the start of the
 * image are walked (each marker's length says where the next one is) to the first SOFn (C0-CF, except
 * C4 DHT, C8 JPG and CC DAC). Null at the start of scan data (SOS), the end of the image or a marker
 * that is no marker; "further" when the walk leaves the prefix.
 */
function jpegFrameSize(bytes: Buffer): ImageSize | null | "further" {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte before a marker
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return null;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return at + 9 > bytes.length ? "further" : sized(bytes.readUInt16BE(at + 7), bytes.readUInt16BE(at + 5));
    }
    // Markers without a length: TEM and RST0-7.
    at += marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7) ? 2 : 2 + bytes.readUInt16BE(at + 2);
  }
  return "further";
}

function jpegDimensions(data: string): ImageSize | null {
  for (const prefix of JPEG_PREFIXES) {
    const bytes = bytesAt(data, 0, prefix);
    const size = jpegFrameSize(bytes);
    if (size !== "further") return size;
    if (bytes.length < prefix) return null; // the whole file was walked
  }
  return null;
}

/** The width and height of an image, both at least 1 pixel. */
export interface ImageSize {
  width: number;
  height: number;
}

const sized = (width: number, height: number): ImageSize | null => (width > 0 && height > 0 ? { width, height } : null);

/**
 * The data without the spaces, tabs and line breaks of MIME-style base64 (RFC 2045 wraps lines at
 * 76 characters; Ruby's encode64 and the base64 command write it): they are no bytes of the image,
 * and neither vendor documents taking them, so they are left out rather than sent or refused.
 */
const WHITESPACE = /[\t\n\f\r ]/;
export const withoutLineBreaks = (data: string) => (WHITESPACE.test(data) ? data.replace(/[\t\n\f\r ]+/g, "") : data);

/**
 * The width and height of base64 image data from its header: PNG (IHDR), GIF (logical screen), WebP
 * (VP8, VP8L or VP8X chunk) and JPEG (frame header, jpegDimensions); null for any other data (HEIC and
 * HEIF, whose size sits in an `ispe` box deep in the file, among them), a truncated header, or a size
 * of 0. Line breaks in MIME-style base64 are left out first; base64url and unpadded data read the same.
 *
 * @example imageDimensions("iVBORw0KGgoAAAANSUhEUgAAB4AAAAQ4CAYAAAA") // { width: 1920, height: 1080 }
 */
export function imageDimensions(base64: string): ImageSize | null {
  const data = withoutLineBreaks(base64);
  const head = bytesAt(data, 0, 30);
  if (startsWith(head, [0xff, 0xd8, 0xff])) return jpegDimensions(data);
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return head.length >= 24 && ascii(head, 12, 16) === "IHDR" ? sized(head.readUInt32BE(16), head.readUInt32BE(20)) : null;
  }
  if (ascii(head, 0, 6) === "GIF87a" || ascii(head, 0, 6) === "GIF89a") return head.length >= 10 ? sized(head.readUInt16LE(6), head.readUInt16LE(8)) : null;
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") {
    const chunk = ascii(head, 12, 16);
    // VP8: a 3-byte frame tag, the start code 9d 01 2a, then 14-bit width and height.
    if (chunk === "VP8 ") return head.length < 30 ? null : sized(head.readUInt16LE(26) & 0x3fff, head.readUInt16LE(28) & 0x3fff);
    // VP8L: the signature 0x2f, then width - 1 and height - 1 in 14 bits each, least significant first.
    if (chunk === "VP8L" && head[20] === 0x2f && head.length >= 25) {
      const bits = head.readUInt32LE(21);
      return sized((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
    }
    // VP8X: 4 bytes of flags, then canvas width - 1 and height - 1 in 24 bits each.
    if (chunk === "VP8X") return head.length < 30 ? null : sized(head.readUIntLE(24, 3) + 1, head.readUIntLE(27, 3) + 1);
  }
  return null;
}
