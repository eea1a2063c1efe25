/** POST /internal/v1/usage: a region's proxies ship usage batches here; answers a UsageBatchAck. */
import { readBodyText } from "../../shared/http/read-body-text.ts";
import { MAX_USAGE_BATCH } from "../../shared/internal-api.ts";
import type { Sql } from "../db/client.ts";
import { ingestUsage } from "../usage/ingest-usage.ts";
import { jsonError } from "./json-error.ts";
import { authenticateRegion } from "./region-auth.ts";

/** 500 events of ~1 KB each, with room to spare. */
export const MAX_USAGE_BODY_BYTES = 4 * 1024 * 1024;

/**
 * What every JSON POST from a region's proxies starts with (the usage route here, budget leases in
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

export async function handleUsage(sql: Sql, request: Request): Promise<Response> {
  const read = await readRegionJsonPost(sql, request, MAX_USAGE_BODY_BYTES, "batch_too_large");
  if (read instanceof Response) return read;
  const { region, body } = read;
  const events = (body as { events?: unknown } | null)?.events;
  if (typeof body !== "object" || body === null || !Array.isArray(events)) {
    return jsonError(400, "invalid_batch", "body must be an object with an events array");
  }
  if (events.length > MAX_USAGE_BATCH) return jsonError(413, "batch_too_large", `at most ${MAX_USAGE_BATCH} events per batch`);
  return Response.json(await ingestUsage(sql, region, events));
}
