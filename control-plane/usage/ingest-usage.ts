/**
 * Validates and stores one usage batch from a region. Invalid events are dead-lettered and still
 * acknowledged, so a proxy never retries an event that can never be accepted.
 */
import { parseUsageEvent, type UsageBatchAck, type UsageEvent } from "../../shared/usage/usage-event.ts";
import type { Sql } from "../db/client.ts";
import { insertDeadLetter, insertUsageEvents, touchKeysLastUsed } from "./usage.repo.ts";

function eventIdOf(raw: unknown): string | null {
  if (typeof raw !== "object" || raw === null) return null;
  const id = (raw as { eventId?: unknown }).eventId;
  return typeof id === "string" && id !== "" && id.length <= 200 ? id : null;
}

export async function ingestUsage(sql: Sql, region: string, rawEvents: unknown[]): Promise<UsageBatchAck> {
  return sql.begin(async (tx) => {
    const valid = new Map<string, UsageEvent>();
    const rejected: UsageBatchAck["rejected"] = [];
    for (const raw of rawEvents) {
      const parsed = parseUsageEvent(raw);
      const reason = !parsed.ok
        ? parsed.reason
        : parsed.event.region !== region
          ? `region ${parsed.event.region} does not match the token's region ${region}`
          : null;
      if (reason !== null || !parsed.ok) {
        rejected.push({ eventId: eventIdOf(raw), reason: reason ?? "invalid" });
        await insertDeadLetter(tx, region, reason ?? "invalid", raw);
        continue;
      }
      valid.set(parsed.event.eventId, parsed.event);
    }
    const inserted = await insertUsageEvents(tx, [...valid.values()]);
    await touchKeysLastUsed(tx, [...valid.values()].filter((e) => inserted.has(e.eventId)));
    const ackedEventIds = [...valid.keys(), ...rejected.flatMap((r) => (r.eventId ? [r.eventId] : []))];
    // Repeats inside one batch count as duplicates too.
    const validCount = rawEvents.length - rejected.length;
    return { accepted: inserted.size, duplicates: validCount - inserted.size, rejected, ackedEventIds: [...new Set(ackedEventIds)] };
  }) as Promise<UsageBatchAck>;
}
