/**
 * A request body, at most `maxBytes`: a declared Content-Length over the bound is refused before
 * anything is read, a declared one within it is read in one native call (the HTTP parser reads no
 * more than declared), and a chunked body is counted as it is read and cut off past the bound.
 * So a server can let its routes refuse large bodies in their own protocol instead of Bun's bare 413.
 * A body not read to its end ("too_large", "cut_off") is marked (body-left-unread.ts): the server's
 * answer to it closes the connection.
 * readBodyBytesWithin answers the bytes, bounding the read in time too. A JSON route reads its body
 * through read-json-body.ts, which decodes them.
 * It runs on every request of the proxy: no async function of its own, one promise per read (the
 * native read's, mapped once) and a timer for the deadline.
 *
 * @example const body = await readBodyBytesWithin(request, 1024 * 1024, 60_000); if (body === "too_large") return json413();
 */
import { leftBodyUnread } from "./body-left-unread.ts";
import { readBounded } from "./read-bounded.ts";

/** How long a request body may take to arrive, whole, once its request reached the route (BODY_READ_TIMEOUT_MS, proxy and control plane). */
export const DEFAULT_BODY_READ_TIMEOUT_MS = 60_000;

type BodyRead = Uint8Array | "too_large" | "cut_off";

/** The read, or "too_large" at once for a declared length over the bound (nothing to wait for). */
function readUpTo(request: Request, maxBytes: number): "too_large" | Promise<BodyRead> {
  const length = request.headers.get("content-length");
  const declared = length === null ? NaN : Number(length);
  if (declared > maxBytes) return "too_large";
  if (Number.isSafeInteger(declared) && declared >= 0) {
    try {
      return request.bytes().then((bytes) => (bytes.byteLength > maxBytes ? "too_large" : bytes), cutOff);
    } catch {
      return Promise.resolve("cut_off");
    }
  }
  return readBounded(request.body, maxBytes);
}

const cutOff = (): "cut_off" => "cut_off";

/**
 * The body within `timeoutMs`, which bounds the whole read, not the gaps between bytes (nginx's
 * client_body_timeout and Bun's idle timer restart at every byte): "late" when the body is not whole by
 * then, marked unread, so the server's answer closes the connection and a client trickling its body, or
 * stalled mid-way, holds neither a socket nor a handler for longer.
 * `ends`, if given, holds the function that makes the read late at once while the read waits (a
 * graceful stop's cut, region-proxy/in-flight.ts bodyReads); it is removed when the read settles.
 * A declared length over the bound is answered without a timer: there is nothing to wait for.
 * `decode`, if given, maps the bytes once they are whole (it must not throw), so a reader that decodes
 * them (read-json-body.ts) adds no promise of its own.
 */
export function readBodyBytesWithin<T = Uint8Array>(
  request: Request,
  maxBytes: number,
  timeoutMs: number,
  ends?: Set<() => void>,
  decode?: (bytes: Uint8Array) => T,
): Promise<T | "too_large" | "cut_off" | "late"> {
  const read = readUpTo(request, maxBytes);
  if (typeof read === "string") {
    leftBodyUnread(request);
    return Promise.resolve(read);
  }
  return new Promise((resolve, reject) => {
    // The first of the read and the deadline (or the stop's cut) settles it; the other finds it settled.
    let settled = false;
    const first = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      ends?.delete(end);
      return true;
    };
    const settle = (outcome: BodyRead | "late") => {
      if (!first()) return;
      if (typeof outcome !== "string") resolve(decode ? decode(outcome) : (outcome as T));
      else {
        leftBodyUnread(request);
        resolve(outcome);
      }
    };
    const end = () => settle("late");
    const timer = setTimeout(end, timeoutMs);
    ends?.add(end);
    // A read that fails rejects at once: never an unhandled rejection, never a wait for "late".
    read.then(settle, (error: unknown) => {
      if (first()) reject(error);
    });
  });
}
