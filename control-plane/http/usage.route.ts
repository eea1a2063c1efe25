/** POST /internal/v1/usage: a region's proxies ship usage batches here; answers a UsageBatchAck. */
import { MAX_USAGE_BATCH, MAX_USAGE_BODY_BYTES } from "../../shared/internal-api.ts";
import type { Sql } from "../db/client.ts";
import { ingestUsage } from "../usage/ingest-usage.ts";
import { jsonError } from "./json-error.ts";
import { readRegionJsonPost } from "./read-region-json-post.ts";

export async function handleUsage(sql: Sql, request: Request, log: (line: string) => void, bodyReadTimeoutMs: number): Promise<Response> {
  const read = await readRegionJsonPost(sql, request, { maxBytes: MAX_USAGE_BODY_BYTES, tooLargeCode: "batch_too_large", timeoutMs: bodyReadTimeoutMs });
  if (read instanceof Response) return read;
  const { region, body } = read;
  const events = (body as { events?: unknown } | null)?.events;
  if (typeof body !== "object" || body === null || !Array.isArray(events)) {
    return jsonError(400, "invalid_batch", "body must be an object with an events array");
  }
  if (events.length > MAX_USAGE_BATCH) return jsonError(413, "batch_too_large", `at most ${MAX_USAGE_BATCH} events per batch`);
  return Response.json(await ingestUsage(sql, region, events, log));
}
