/**
 * A request body, at most `maxBytes`: a declared Content-Length over the bound is refused before
 * anything is read, a declared one within it is read in one native call (the HTTP parser reads no
 * more than declared), and a chunked body is counted as it is read and cut off past the bound.
 * So a server can let its routes refuse large bodies in their own protocol instead of Bun's bare 413.
 * A body not read to its end ("too_large", "cut_off") is marked (body-left-unread.ts): the server's
 * answer to it closes the connection.
 * readBodyBytes answers the bytes; readBodyText decodes them as UTF-8, an invalid sequence becoming
 * U+FFFD, and wraps the text, so a body that reads "too_large" is not taken for the failure.
 *
 * @example const body = await readBodyText(request, 1024 * 1024); if (body === "too_large") return json413(); JSON.parse(body.text);
 */
import { leftBodyUnread } from "./body-left-unread.ts";
import { readBounded } from "./read-bounded.ts";

const decoder = new TextDecoder();

export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array | "too_large" | "cut_off"> {
  const read = await readUpTo(request, maxBytes);
  if (typeof read === "string") leftBodyUnread(request);
  return read;
}

async function readUpTo(request: Request, maxBytes: number): Promise<Uint8Array | "too_large" | "cut_off"> {
  const length = request.headers.get("content-length");
  const declared = length === null ? NaN : Number(length);
  if (declared > maxBytes) return "too_large";
  if (Number.isSafeInteger(declared) && declared >= 0) {
    try {
      const bytes = new Uint8Array(await request.arrayBuffer());
      return bytes.byteLength > maxBytes ? "too_large" : bytes;
    } catch {
      return "cut_off";
    }
  }
  return readBounded(request.body, maxBytes);
}

export async function readBodyText(request: Request, maxBytes: number): Promise<{ text: string } | "too_large" | "cut_off"> {
  const read = await readBodyBytes(request, maxBytes);
  return typeof read === "string" ? read : { text: decoder.decode(read) };
}
