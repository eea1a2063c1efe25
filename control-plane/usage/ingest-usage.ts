/**
 * Validates and stores one usage batch from a region. Invalid events are dead-lettered and still
 * acknowledged, so a proxy never retries an event that can never be accepted.
 *
 * One event never fails its batch: parseUsageEvent refuses what the ledger's columns cannot hold, and
 * should the database still refuse an event's content (a data error), each event is tried alone in a
 * savepoint rolled back, the refused ones are dead-lettered and the rest inserted at once. Any other
 * failure (the database unreachable, a connection lost) fails the batch, so the proxy sends it again.
 *
 * The proxy forgets only the events whose ids come back in `ackedEventIds`, matched exactly, so a
 * dead-lettered event is acknowledged by the id it was sent with, whatever string that is (empty, over
 * MAX_EVENT_ID_CHARS); its dead letter keeps a cut, storable copy, and its `rejected` entry names it only
 * when it is a usable id (else null). The answer stays bounded all the same: each id is listed once and
 * is a string of the request body, which the route bounds (MAX_USAGE_BODY_BYTES), and each rejection's
 * reason is cut to MAX_DEAD_LETTER_REASON_CHARS.
 *
 * An id sent twice in one batch is taken as across batches: the first valid copy is the one stored. A
 * later copy with the same content is counted as a duplicate; one with different content is
 * dead-lettered (acknowledged, its payload kept), so no acknowledged usage is dropped without a trace.
 *
 * An event is spend the region's proxies could have made only for a key its snapshot carries, under that
 * key's own tenant (eventsForKeysNotCarried); any other is dead-lettered, so a region token cannot
 * book spend on a key or tenant of another region.
 *
 * An event dated more than five minutes after it was received (its proxy's clock ahead) is booked at the
 * time it was received, its own time kept beside it (bookingTime); an event dated in the past keeps it.
 *
 * A dead-lettered event sent again (its acknowledgement lost) is acknowledged again but not stored again:
 * a dead letter with a usable id is kept once per id and payload (insertDeadLetter).
 *
 * The budget levels the stored events count in have their 80% and 100% alerts checked in the same
 * transaction (raiseUsageAlerts), closed periods included: a lease ask checks only a period a proxy
 * still counts.
 */
import type { UsageBatchAck, UsageEvent } from "../../shared/usage/usage-event.ts";
import type { Sql, Tx } from "../db/client.ts";
import { raiseUsageAlerts } from "../budgets/raise-usage-alerts.ts";
import { bookingTime } from "./booking-time.ts";
import { deadLetterReason } from "./dead-letter-payload.ts";
import { eventsForKeysNotCarried } from "./region-carries-key.ts";
import { eventIdOf, sentIdOf, sortUsageBatch } from "./sort-usage-batch.ts";
import { insertDeadLetter, insertUsageEvents, touchKeysLastUsed } from "./usage.repo.ts";

/**
 * Whether PostgreSQL refused a statement for the values it carried: a data exception (SQLSTATE class
 * 22: out of range, bad encoding, bad time...), an integrity violation (23) or a size limit (54, e.g.
 * an index entry too large). Connection and server failures are not: they say nothing about the event.
 */
export function isContentError(error: unknown): boolean {
  const e = error as { name?: unknown; code?: unknown } | null;
  return e?.name === "PostgresError" && typeof e.code === "string" && /^(22|23|54)[0-9A-Z]{3}$/.test(e.code);
}

/** Runs `work` in a savepoint; a content error rolls back to it and is returned, anything else is thrown. */
async function tryInSavepoint<T>(tx: Tx, work: (sp: Tx) => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  try {
    return { ok: true, value: (await tx.savepoint((sp) => work(sp))) as T };
  } catch (error) {
    if (!isContentError(error)) throw error;
    return { ok: false, error: error as Error };
  }
}

export async function ingestUsage(sql: Sql, region: string, rawEvents: unknown[], log: (line: string) => void = () => {}): Promise<UsageBatchAck> {
  return sql.begin(async (tx) => {
    // The time this batch was received: the transaction's now(), as received_at; events dated too far
    // past it are booked at it (bookingTime).
    const [{ receivedAt }] = await tx<[{ receivedAt: Date }]>`select now() as "receivedAt"`;
    // The checks that need no database, shared with the proxy tests' stand-in control plane.
    const { events: valid, copies, refused } = sortUsageBatch(region, rawEvents);
    const rejected: UsageBatchAck["rejected"] = [];
    // Every dead-lettered event that carried a string id, acknowledged by that id as sent.
    const rejectedIds: string[] = [];
    const reject = async (raw: unknown, reason: string) => {
      rejected.push({ eventId: eventIdOf(raw), reason: deadLetterReason(reason) });
      const sent = sentIdOf(raw);
      if (sent !== null) rejectedIds.push(sent);
      const stored = await tryInSavepoint(tx, (sp) => insertDeadLetter(sp, region, reason, raw));
      // Not even its bounded, storable copy went in: keep the reason without the payload.
      if (!stored.ok) await insertDeadLetter(tx, region, `${reason} (payload not storable: ${stored.error.message})`, null);
    };
    for (const { raw, reason } of refused) await reject(raw, reason);
    // Spend only on the keys the region's proxies could have served, each under its own tenant.
    for (const [eventId, reason] of await eventsForKeysNotCarried(tx, region, [...valid.values()])) {
      const event = valid.get(eventId)!;
      valid.delete(eventId);
      copies.delete(eventId);
      await reject(event, reason);
    }
    const inserted = await insertEachStorable(tx, [...valid.values()], receivedAt, async (event, error) => {
      valid.delete(event.eventId);
      copies.delete(event.eventId);
      await reject(event, `the ledger refused the event: ${error.message}`);
    });
    const stored = [...valid.values()].filter((e) => inserted.has(e.eventId));
    await touchKeysLastUsed(tx, stored, receivedAt);
    // Last, after every row lock the batch takes: the level locks it takes here come after them in every batch.
    await raiseUsageAlerts(tx, stored.map((e) => ({ tenantId: e.tenantId, keyId: e.keyId, time: bookingTime(e.time, receivedAt).time })));
    reportClockAhead(region, stored, receivedAt, log);
    const ackedEventIds = [...valid.keys(), ...rejectedIds];
    // Repeats inside one batch count as duplicates too.
    const validCount = [...copies.values()].reduce((sum, n) => sum + n, 0);
    return { accepted: inserted.size, duplicates: validCount - inserted.size, rejected, ackedEventIds: [...new Set(ackedEventIds)] };
  }) as Promise<UsageBatchAck>;
}

/**
 * One line per batch whose newly stored events were dated ahead of this clock by more than the skew
 * allowance (booked at receipt by bookingTime): a proxy clock running ahead, which an operator should fix.
 */
function reportClockAhead(region: string, stored: UsageEvent[], receivedAt: Date, log: (line: string) => void): void {
  let moved = 0;
  let aheadMs = 0;
  for (const event of stored) {
    const { proxyTime } = bookingTime(event.time, receivedAt);
    if (proxyTime === null) continue;
    moved++;
    aheadMs = Math.max(aheadMs, proxyTime.getTime() - receivedAt.getTime());
  }
  if (moved > 0) {
    log(`usage from region ${region}: ${moved} usage events dated up to ${Math.round(aheadMs / 1000)} s ahead of the control plane's clock were booked when received; check that region's proxy clocks (NTP)`);
  }
}

/** Thrown inside a probe's savepoint to roll the event it stored back. */
class ProbeRollback extends Error {}

/** The content error the database refuses `event` with, or null if it would store it; tried in a savepoint rolled back either way. */
async function refusalOf(tx: Tx, event: UsageEvent, receivedAt: Date): Promise<Error | null> {
  try {
    await tx.savepoint(async (sp) => {
      await insertUsageEvents(sp, [event], receivedAt);
      throw new ProbeRollback();
    });
  } catch (error) {
    if (error instanceof ProbeRollback) return null;
    if (isContentError(error)) return error as Error;
    throw error;
  }
  throw new Error("unreachable: a probe's savepoint always rolls back");
}

/**
 * Inserts the events at once; when the database refuses the content of one, finds the refused events
 * (refusalOf each, handing it to `refused`) and inserts the storable ones in one statement again.
 *
 * Not one event per statement: the spend-bucket trigger (migration 0099) locks each statement's key
 * buckets and then its tenant bucket, so inserting event by event locked K_a, T, K_b, T... across the
 * transaction, a cycle with a concurrent batch locking its key buckets sorted and then T (40P01). A
 * rolled-back probe releases its locks; the final statement locks as a normal batch does (sorted by
 * event id, then the trigger's order). A refusal is a row's own content (the ledger has no constraint
 * across rows), so the events that passed alone pass together.
 */
async function insertEachStorable(tx: Tx, events: UsageEvent[], receivedAt: Date, refused: (event: UsageEvent, error: Error) => Promise<void>): Promise<Set<string>> {
  const all = await tryInSavepoint(tx, (sp) => insertUsageEvents(sp, events, receivedAt));
  if (all.ok) return all.value;
  const storable: UsageEvent[] = [];
  for (const event of events) {
    const error = await refusalOf(tx, event, receivedAt);
    if (error === null) storable.push(event);
    else await refused(event, error);
  }
  return insertUsageEvents(tx, storable, receivedAt);
}
