/**
 * The image type of base64 image data, read from its first bytes (the formats' signatures), not
 * from the label a client put on it: clients often label a JPEG `data:image/png` (OpenAI takes it),
 * and Anthropic refuses a media_type that is not the bytes' type ("Image does not match the
 * provided media type image/png"). Only the first 16 characters (12 bytes) are decoded.
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
