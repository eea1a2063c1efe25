/**
 * The width and height of base64 image data, read from the formats' headers (PNG IHDR, JPEG SOF, GIF
 * logical screen, WebP VP8 / VP8L / VP8X), for the prompt estimate's image tokens. The samples are
 * built byte by byte as each format's specification lays its header out.
 */
import { describe, expect, test } from "bun:test";
import { imageDimensions, sniffImageType } from "./image-bytes.ts";

const b64 = (...parts: (number[] | string | Buffer)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.isBuffer(p) ? p : Buffer.from(p)))).toString("base64");
const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const be32 = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const le24 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];
const le32 = (n: number) => [...le16(n & 0xffff), ...le16(n >>> 16)];

const png = (w: number, h: number) => b64([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], be32(13), "IHDR", be32(w), be32(h), [8, 6, 0, 0, 0], [0, 0, 0, 0]);
const gif = (w: number, h: number) => b64("GIF89a", le16(w), le16(h), [0xf7, 0, 0]);
/** SOI, an APP0 (JFIF) segment, APP1 segments of `exifBytes` (a camera's EXIF with its thumbnail), a DQT, then the frame header. */
const jpeg = (w: number, h: number, sof = 0xc0, exifBytes = 16) =>
  b64(
    [0xff, 0xd8],
    [0xff, 0xe0], be16(16), "JFIF\0", [1, 1, 0], be16(72), be16(72), [0, 0],
    // APP segments of at most 65,000 bytes each (a segment's length is 16 bits).
    ...Array.from({ length: Math.ceil(exifBytes / 65_000) }, (_, i) => {
      const n = Math.min(65_000, exifBytes - i * 65_000);
      return Buffer.concat([Buffer.from([0xff, 0xe1, ...be16(n + 2)]), Buffer.alloc(n, 0x45)]);
    }),
    [0xff, 0xdb], be16(67), Buffer.alloc(65, 1),
    [0xff, sof], be16(17), [8], be16(h), be16(w), [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1],
    [0xff, 0xda], be16(12), Buffer.alloc(10, 0),
  );
const webp = (chunk: string, body: number[]) => b64("RIFF", le32(4 + 8 + body.length), "WEBP", chunk, le32(body.length), body);
const vp8 = (w: number, h: number) => webp("VP8 ", [0x9d, 0x01, 0x00, 0x9d, 0x01, 0x2a, ...le16(w), ...le16(h), 0, 0, 0, 0]);
function vp8l(w: number, h: number) {
  const bits = (w - 1) | ((h - 1) << 14); // 14 bits each, then alpha and version bits (0)
  return webp("VP8L", [0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >>> 24) & 0xff, 0, 0, 0]);
}
const vp8x = (w: number, h: number) => webp("VP8X", [0x10, 0, 0, 0, ...le24(w - 1), ...le24(h - 1)]);

describe("imageDimensions", () => {
  test("PNG: the IHDR chunk's width and height", () => {
    expect(sniffImageType(png(1920, 1080))).toBe("image/png");
    expect(imageDimensions(png(1920, 1080))).toEqual({ width: 1920, height: 1080 });
    expect(imageDimensions(png(1, 70_000))).toEqual({ width: 1, height: 70_000 });
  });

  test("GIF: the logical screen's width and height (little-endian)", () => {
    expect(imageDimensions(gif(640, 480))).toEqual({ width: 640, height: 480 });
  });

  test("JPEG: the frame header, past the segments before it (EXIF with a thumbnail can be tens of KB)", () => {
    expect(sniffImageType(jpeg(4032, 3024))).toBe("image/jpeg");
    expect(imageDimensions(jpeg(4032, 3024))).toEqual({ width: 4032, height: 3024 });
    expect(imageDimensions(jpeg(3000, 4000, 0xc2, 60_000))).toEqual({ width: 3000, height: 4000 }); // progressive, big APP1
    expect(imageDimensions(jpeg(800, 600, 0xc1))).toEqual({ width: 800, height: 600 });
    expect(imageDimensions(jpeg(6000, 4000, 0xc0, 200_000))).toEqual({ width: 6000, height: 4000 }); // past the first 64 KiB
  });

  test("WebP: lossy (VP8), lossless (VP8L) and extended (VP8X)", () => {
    expect(sniffImageType(vp8(1024, 768))).toBe("image/webp");
    expect(imageDimensions(vp8(1024, 768))).toEqual({ width: 1024, height: 768 });
    expect(imageDimensions(vp8l(3000, 2000))).toEqual({ width: 3000, height: 2000 });
    expect(imageDimensions(vp8x(5000, 16_383))).toEqual({ width: 5000, height: 16_383 });
  });

  test("base64url, unpadded and line-wrapped data read the same", () => {
    const data = jpeg(2048, 1536, 0xc0, 900);
    expect(imageDimensions(data.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""))).toEqual({ width: 2048, height: 1536 });
    expect(imageDimensions(data.replace(/.{76}/g, "$&\r\n"))).toEqual({ width: 2048, height: 1536 });
  });

  test("null when the size cannot be read: no image, a truncated header, a JPEG with no frame header", () => {
    expect(imageDimensions("")).toBeNull();
    expect(imageDimensions(Buffer.from("hello world, not an image").toString("base64"))).toBeNull();
    expect(imageDimensions(png(10, 10).slice(0, 20))).toBeNull();
    expect(imageDimensions(b64([0xff, 0xd8], [0xff, 0xe0], be16(16), Buffer.alloc(14)))).toBeNull();
    expect(imageDimensions(png(0, 10))).toBeNull();
  });
});
