/**
 * A JSON request body, read the one way every JSON route reads it (the proxy's OpenAI routes, the control
 * plane's GraphQL and its regions' POST routes): plain (no Content-Encoding but identity: a coded body,
 * gzip, br, …, is refused unread, not taken for bytes that are neither UTF-8 nor JSON), at most `maxBytes`,
 * whole within `timeoutMs` (readBodyBytesWithin), UTF-8 (`fatal`: bad bytes are refused, never read as
 * U+FFFD; a leading BOM is dropped: RFC 8259 §8.1 lets a parser ignore one, and PowerShell 5.1 and older
 * editors write it), then JSON. Each route answers the outcome in its own protocol, mapping it right after
 * its await: no async step of its own around the read (the proxy's is on every request's path).
 * `ends` is passed to readBodyBytesWithin (the proxy's graceful stop ends a read still waiting with it).
 *
 * @example const read = answerInMyProtocol(await readPlainJsonBody(request, 1024 * 1024, 60_000), 1024 * 1024, 60_000);
 *          if (read instanceof Response) return read; // else read.value is the parsed body
 */
import { leftBodyUnread } from "./body-left-unread.ts";
import { unsupportedContentCoding } from "./content-coding.ts";
import { readBodyBytesWithin } from "./read-body-bytes.ts";

export type JsonBodyOutcome =
  | { ok: true; value: unknown }
  /** A coded body (the coding as unsupportedContentCoding shows it): refused unread, a 415. */
  | { ok: false; coding: string }
  /** Not whole within `timeoutMs`: not read to its end (marked so, leftBodyUnread). */
  | "late"
  /** Over `maxBytes`: not read to its end (marked so). */
  | "too_large"
  /** Failed mid-way: not read to its end (marked so). */
  | "cut_off"
  | "not_utf8"
  /** Nothing but whitespace (JSON.parse refuses it too: a route may call it "not JSON"). */
  | "empty"
  | "not_json";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Not async: the bytes are decoded as the read settles (readBodyBytesWithin's `decode`), one promise per read. */
export function readPlainJsonBody(request: Request, maxBytes: number, timeoutMs: number, ends?: Set<() => void>): Promise<JsonBodyOutcome> {
  const coding = unsupportedContentCoding(request);
  if (coding !== null) {
    // Refused unread: the server's answer closes the connection, as the client may still be sending it.
    leftBodyUnread(request);
    return Promise.resolve({ ok: false, coding });
  }
  return readBodyBytesWithin(request, maxBytes, timeoutMs, ends, decodeJson);
}

/** Never throws (readBodyBytesWithin's `decode`): every failure is an outcome. */
function decodeJson(bytes: Uint8Array): JsonBodyOutcome {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return "not_utf8";
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // Text that trims to nothing never parses, so asking only now tells the same bodies apart.
    return text.trim() === "" ? "empty" : "not_json";
  }
}
