import { readBodyText } from "../../shared/http/read-body-text.ts";
import type { Sql } from "../db/client.ts";
import { jsonError } from "./json-error.ts";
import { authenticateRegion } from "./region-auth.ts";

/**
 * What every JSON POST from a region's proxies starts with (usage batches in usage.route.ts, budget leases in
 * budgets/lease.route.ts): POST only, the region's bearer token, a body of at most `maxBytes` (else 413
 * `tooLargeCode`) that is JSON. Answers the region and the parsed body, or the error response to send.
 */
export async function readRegionJsonPost(sql: Sql, request: Request, maxBytes: number, tooLargeCode: string): Promise<{ region: string; body: unknown } | Response> {
  if (request.method !== "POST") return jsonError(405, "method_not_allowed", "use POST", { allow: "POST" });
  const region = await authenticateRegion(sql, request);
  if (!region) return jsonError(401, "unauthenticated", "missing or invalid region token");
  const text = await readBodyText(request, maxBytes);
  if (text === "too_large") return jsonError(413, tooLargeCode, `body exceeds ${maxBytes} bytes`);
  if (text === "cut_off") return jsonError(400, "invalid_json", "the body could not be read completely");
  try {
    return { region, body: JSON.parse(text) };
  } catch {
    return jsonError(400, "invalid_json", "body is not JSON");
  }
}
