/** The usage ledger: one row per event id, however often it is sent; invalid events go to dead letters (once per id and content). */
import type { Queryable } from "../db/client.ts";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { bookingTime } from "./booking-time.ts";
import { storedAttemptTrail } from "./stored-attempt-trail.ts";
import { deadLetterEventId, deadLetterPayload, deadLetterReason } from "./dead-letter-payload.ts";

/**
 * Inserts the events received at `receivedAt` (the database's now() of the ingest transaction, which
 * received_at also takes), each booked at bookingTime; returns the ids that were new (the rest were
 * already stored).
 */
export async function insertUsageEvents(q: Queryable, events: UsageEvent[], receivedAt: Date): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const rows = events.map((e) => {
    const booked = bookingTime(e.time, receivedAt);
    const trail = storedAttemptTrail(e.attemptTrail);
    return {
      event_id: e.eventId,
      time: booked.time,
      proxy_time: booked.proxyTime,
      request_id: e.requestId,
      region: e.region,
      snapshot_version: e.snapshotVersion,
      tenant_id: e.tenantId,
      key_id: e.keyId,
      feature_id: e.featureId,
      alias: e.alias,
      endpoint: e.endpoint,
      provider: e.provider,
      deployment_id: e.deploymentId,
      vendor_model: e.vendorModel,
      stream: e.stream,
      input_tokens: e.usage.inputTokens,
      output_tokens: e.usage.outputTokens,
      cached_input_tokens: e.usage.cachedInputTokens,
      cache_write_tokens: e.usage.cacheWriteTokens,
      reasoning_tokens: e.usage.reasoningTokens,
      cost_micros: e.costMicros,
      latency_ms: e.latencyMs,
      status: e.status,
      error_code: e.errorCode,
      attempts: e.attempts,
      attempt_trail: trail === null ? null : q.json(trail as never),
      fallback: e.fallback ?? null,
    };
  });
  // In event id order: two batches holding the same ids (a proxy re-sending while the first send still
  // runs) then wait on each other's unique-index entries in one order, never in a cycle (a deadlock).
  rows.sort((a, b) => compareIds(a.event_id, b.event_id));
  const inserted = await q<{ event_id: string }[]>`
    insert into usage_events ${q(rows)} on conflict (event_id) do nothing returning event_id`;
  return new Set(inserted.map((r) => r.event_id));
}

/**
 * Stores an invalid event with its reason: a storable, bounded copy of what was sent (deadLetterPayload),
 * so a dead letter never fails on the very content that made the event invalid. An event with a usable
 * id is stored once per id and payload: sent again (its acknowledgement lost), it is not stored twice.
 */
export async function insertDeadLetter(q: Queryable, region: string, reason: string, payload: unknown): Promise<void> {
  const copy = deadLetterPayload(payload ?? null);
  await q`insert into usage_dead_letters (region, reason, payload, event_id)
    values (${region}, ${deadLetterReason(reason)}, ${q.json(copy as never)}, ${deadLetterEventId(payload)})
    on conflict (event_id, md5(payload::text)) where event_id is not null do nothing`;
}

/**
 * Moves each key's `last_used_at` forward to the latest time its events were booked at (bookingTime; never back).
 *
 * Concurrent batches (any two proxies serving the same keys) lock the same rows, so the rows are locked
 * first, in id order (`order by id for no key update`: the lock is taken row by row above the sort),
 * and only then updated: an UPDATE ... FROM locks in whatever order its join plan yields rows, and two
 * batches locking in opposite orders deadlocked (40P01 after deadlock_timeout, the batch a 500).
 */
export async function touchKeysLastUsed(q: Queryable, events: UsageEvent[], receivedAt: Date): Promise<void> {
  const latest = new Map<string, number>();
  for (const e of events) latest.set(e.keyId, Math.max(latest.get(e.keyId) ?? 0, bookingTime(e.time, receivedAt).time.getTime()));
  if (latest.size === 0) return;
  const ids = [...latest.keys()].sort(compareIds);
  const times = ids.map((id) => new Date(latest.get(id)!).toISOString());
  await q`select id from gateway_keys where id = any(${q.array(ids)}::text[]) order by id collate "C" for no key update`;
  await q`update gateway_keys g set last_used_at = greatest(coalesce(g.last_used_at, u.t), u.t)
    from (select unnest(${q.array(ids)}::text[]) as id, unnest(${q.array(times)}::timestamptz[]) as t) u where g.id = u.id`;
}

/** Byte order (PostgreSQL's "C" collation for ASCII ids): one order for every batch, whatever the locale. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
