/**
 * The snapshot body as text, at most `maxBytes`: a Content-Length above the cap is refused before any
 * of the body is read, one within it is read in one native call (the HTTP parser reads no more than
 * declared), and a body without one, or a compressed one (fetch unpacks it, and its Content-Length is
 * the packed size), is counted chunk by chunk and cut off past the cap. So whatever answers at
 * CONTROL_PLANE_URL cannot make the proxy hold more than the cap.
 *
 * @example const body = await readSnapshotBody(response, 256 * 1024 * 1024, signal); if (body === "too_large") ...
 */
import { readBounded } from "../../shared/http/read-bounded.ts";

const decoder = new TextDecoder();

/** Throws the signal's reason when it aborted the read, or when the body ended before it was complete. */
export async function readSnapshotBody(response: Response, maxBytes: number, signal: AbortSignal): Promise<{ text: string } | "too_large"> {
  const length = response.headers.get("content-length");
  const declared = length === null ? NaN : Number(length);
  const encoding = response.headers.get("content-encoding");
  const unpacked = encoding === null || encoding.toLowerCase() === "identity";
  if (unpacked && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    return "too_large";
  }
  if (unpacked && Number.isSafeInteger(declared) && declared >= 0) return { text: await response.text() };
  const read = await readBounded(response.body, maxBytes);
  if (read === "cut_off") throw signal.aborted ? signal.reason : new Error("the snapshot body ended before it was complete");
  return read === "too_large" ? read : { text: decoder.decode(read) };
}
