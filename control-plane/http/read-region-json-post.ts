import { leftBodyUnread } from "../../shared/http/body-left-unread.ts";
import { unsupportedContentCoding } from "../../shared/http/content-coding.ts";
import { readBodyBytesWithin } from "../../shared/http/read-body-text.ts";
import type { Sql } from "../db/client.ts";
import { lateBodyMessage } from "./body-read-timeout.ts";
import { jsonError } from "./json-error.ts";
import { authenticateRegion, BEARER_CHALLENGE } from "./region-auth.ts";

/** Refuses an invalid sequence instead of replacing it: 0xFF would become U+FFFD, three bytes for one. */
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * What every JSON POST from a region's proxies starts with (usage batches in usage.route.ts, budget leases in
 * budgets/lease.route.ts): POST only, the region's bearer token, a body of at most `maxBytes` (else 413
 * `tooLargeCode`), whole within `timeoutMs` (else 408 `request_timeout`), uncompressed (else 415
 * `unsupported_content_encoding`), that is JSON in valid UTF-8.
 * Answers the region and the parsed body, or the error response to send.
 * The body's text is never longer in UTF-8 than the body, so neither is any string of it a route echoes.
 */
export async function readRegionJsonPost(
  sql: Sql,
  request: Request,
  { maxBytes, tooLargeCode, timeoutMs }: { maxBytes: number; tooLargeCode: string; timeoutMs: number },
): Promise<{ region: string; body: unknown } | Response> {
  if (request.method !== "POST") return jsonError(405, "method_not_allowed", "use POST", { allow: "POST" });
  const region = await authenticateRegion(sql, request);
  if (!region) return jsonError(401, "unauthenticated", "missing or invalid region token", BEARER_CHALLENGE);
  const coding = unsupportedContentCoding(request);
  if (coding !== null) {
    leftBodyUnread(request);
    return jsonError(415, "unsupported_content_encoding", `Content-Encoding ${coding} is not supported; send the body uncompressed`);
  }
  const bytes = await readBodyBytesWithin(request, maxBytes, timeoutMs);
  if (bytes === "late") return jsonError(408, "request_timeout", lateBodyMessage(timeoutMs));
  if (bytes === "too_large") return jsonError(413, tooLargeCode, `body exceeds ${maxBytes} bytes`);
  if (bytes === "cut_off") return jsonError(400, "invalid_json", "the body could not be read completely");
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return jsonError(400, "invalid_json", "body is not valid UTF-8");
  }
  try {
    return { region, body: JSON.parse(text) };
  } catch {
    return jsonError(400, "invalid_json", "body is not JSON");
  }
}
