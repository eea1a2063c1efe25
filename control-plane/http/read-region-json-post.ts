import { ACCEPT_NO_CODING } from "../../shared/http/content-coding.ts";
import { readPlainJsonBody, type JsonBodyOutcome } from "../../shared/http/read-json-body.ts";
import type { Sql } from "../db/client.ts";
import { lateBodyMessage } from "./body-read-timeout.ts";
import { jsonError } from "./json-error.ts";
import { authenticateRegion, BEARER_CHALLENGE } from "./region-auth.ts";

/**
 * What every JSON POST from a region's proxies starts with (usage batches in usage.route.ts, budget leases in
 * budgets/lease.route.ts): POST only, the region's bearer token, a body of at most `maxBytes` (else 413
 * `tooLargeCode`), whole within `timeoutMs` (else 408 `request_timeout`), uncompressed (else 415
 * `unsupported_content_encoding`, with `Accept-Encoding: identity`), that is JSON in valid UTF-8.
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
  const read = regionBody(await readPlainJsonBody(request, maxBytes, timeoutMs), maxBytes, timeoutMs, tooLargeCode);
  return read instanceof Response ? read : { region, body: read.value };
}

/** The body's refusals as the internal JSON errors. Bytes that are not UTF-8 are refused, not read as U+FFFD (0xFF would be three bytes for one). */
function regionBody(read: JsonBodyOutcome, maxBytes: number, timeoutMs: number, tooLargeCode: string): { ok: true; value: unknown } | Response {
  switch (read) {
    case "late":
      return jsonError(408, "request_timeout", lateBodyMessage(timeoutMs));
    case "too_large":
      return jsonError(413, tooLargeCode, `body exceeds ${maxBytes} bytes`);
    case "cut_off":
      return jsonError(400, "invalid_json", "the body could not be read completely");
    case "not_utf8":
      return jsonError(400, "invalid_json", "body is not valid UTF-8");
    case "empty":
    case "not_json":
      return jsonError(400, "invalid_json", "body is not JSON");
  }
  return read.ok ? read : jsonError(415, "unsupported_content_encoding", `Content-Encoding ${read.coding} is not supported; send the body uncompressed`, ACCEPT_NO_CODING);
}
