/**
 * The usage outbox in Deno KV: one entry per event, keyed by arrival time then event id so batches go
 * out oldest first. An event leaves only when the control plane acknowledged its id.
 */
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import type { Kv } from "../kv/open-kv.ts";

const PREFIX = "outbox";

export interface PendingEvent {
  key: [string, string];
  event: UsageEvent;
}

export class UsageOutbox {
  constructor(private readonly kv: Kv) {}

  /** Durably appends one event (the request path awaits only this local write). */
  async append(event: UsageEvent): Promise<void> {
    const sortKey = `${String(Date.now()).padStart(15, "0")}:${event.eventId}`;
    await this.kv.set([PREFIX, sortKey], JSON.stringify(event));
  }

  /** The oldest `limit` events. */
  async peek(limit: number): Promise<PendingEvent[]> {
    const out: PendingEvent[] = [];
    for await (const entry of this.kv.list<string>({ prefix: [PREFIX] }, { limit })) {
      let event: UsageEvent;
      try {
        event = JSON.parse(entry.value) as UsageEvent;
      } catch {
        // Unreadable (a torn write from an old build?): it can never be sent, so it must not block the queue.
        await this.kv.delete(entry.key);
        continue;
      }
      out.push({ key: entry.key as [string, string], event });
    }
    return out;
  }

  async remove(keys: [string, string][]): Promise<void> {
    for (const key of keys) await this.kv.delete(key);
  }

  async size(): Promise<number> {
    let n = 0;
    for await (const _ of this.kv.list({ prefix: [PREFIX] })) n++;
    return n;
  }
}
