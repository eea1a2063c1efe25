/**
 * Which events of a batch name a key the sending region could not have served: a region's snapshot
 * carries only some keys (keyCarriedBy), each under its own tenant, so an event for another key, a key
 * that does not exist, or a tenant that is not its key's, is no spend that region's proxies made.
 */
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import type { Queryable } from "../db/client.ts";
import { keyCarriedBy } from "../keys/key-carried-by.ts";
import { keyNotCarriedReason } from "./sort-usage-batch.ts";

/** Event id → why the region cannot have made it; events not named are consistent with the region's keys. */
export async function eventsForKeysNotCarried(q: Queryable, region: string, events: UsageEvent[]): Promise<Map<string, string>> {
  const refused = new Map<string, string>();
  if (events.length === 0) return refused;
  const ids = [...new Set(events.map((e) => e.keyId))];
  const rows = await q<{ id: string; tenantId: string; carried: boolean }[]>`
    select id, tenant_id as "tenantId", ${keyCarriedBy(q, region)} as carried
    from gateway_keys where id = any(${q.array(ids)}::text[])`;
  const keys = new Map(rows.map((r) => [r.id, r]));
  for (const event of events) {
    const key = keys.get(event.keyId);
    const reason = keyNotCarriedReason(event, region, key?.carried ? key.tenantId : undefined);
    if (reason !== null) refused.set(event.eventId, reason);
  }
  return refused;
}
