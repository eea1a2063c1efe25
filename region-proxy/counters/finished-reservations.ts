/**
 * The memory ledger's record of finished (settled or released) reservations, so that a repeated settle
 * or release is a no-op: each id is remembered for `settledMemoryMs`, and while it is not crowded out
 * (below), whichever ends first.
 *
 * This process's own ids (newReservationId: a prefix and a counter, budget-levels.ts reservationNumber),
 * the ones every request finishes, are kept as numbers: slot `counter % MAX_FINISHED_REMEMBERED` of two
 * Float64Arrays says which counter finished there last and until when, so one of ours is crowded out when
 * the reservation made MAX_FINISHED_REMEMBERED after it finishes: in steady state the last ~10,000 finished,
 * but counters are one per process (every ledger in it draws from them, and reservations never finished
 * use theirs up too), so after a gap it can be fewer. An id kept in the Set (below) is crowded out by
 * MAX_FINISHED_REMEMBERED later ones kept there. A collector never
 * looks inside a typed array: a Set of the last 10,000 id strings, written on every request, sat in the
 * collector's remembered set and was rescanned whole at every young collection (the proxy's eden pauses
 * at 1,000 req/s: median 1.7 -> 1.1 ms without it). Any other id (one the caller chose), and one of ours
 * finishing after a newer one took its slot (a reservation that outlived 10,000 others), goes to a Set
 * as before: the rare case.
 */
import { reservationNumber } from "./budget-levels.ts";

/**
 * Finished ids remembered at most, however recent: a process's memory is not Redis's, so a repeated
 * settle or release is a no-op for `settledMemoryMs` or for about the last this-many finished
 * reservations (exactly: until the one made this-many later finishes; see above), whichever is shorter
 * (at 2,000 req/s, the last 5 s). The proxy's own limits ticket
 * settles once by itself; this guards the ledger's contract, not the request path. Kept small on
 * purpose: ids a Set holds are live strings the collector marks on each full collection (100,000 of
 * them, ~10 MB, made the proxy's GC helper threads cost more per request minute by minute).
 */
export const MAX_FINISHED_REMEMBERED = 10_000;

export class FinishedReservations {
  /** By slot (counter % MAX_FINISHED_REMEMBERED): the counter that finished there last; made at the first. */
  private counters: Float64Array | null = null;
  /** By slot: when that counter is forgotten (0: the slot is empty). */
  private forgetAt: Float64Array | null = null;
  /** Ids not kept in the slots. */
  private readonly others: FinishedIdQueue;

  constructor(private readonly memory: number) {
    this.others = new FinishedIdQueue(memory);
  }

  /** Records that reservation `id` finished at `now`: true the first time, false for a repeat (to be ignored). */
  finish(id: string, now: number): boolean {
    const counter = reservationNumber(id);
    if (counter === null) return this.others.finish(id, now);
    const slot = counter % MAX_FINISHED_REMEMBERED;
    const counters = (this.counters ??= new Float64Array(MAX_FINISHED_REMEMBERED));
    const forgetAt = (this.forgetAt ??= new Float64Array(MAX_FINISHED_REMEMBERED));
    const held = forgetAt[slot]! > now ? counters[slot]! : 0;
    if (held === counter) return false;
    // A newer reservation finished in this slot (this one outlived MAX_FINISHED_REMEMBERED others): it keeps it.
    if (held > counter) return this.others.finish(id, now);
    // One that outlived others may have finished before, while its slot was taken.
    if (this.others.has(id)) return false;
    counters[slot] = counter;
    forgetAt[slot] = now + this.memory;
    return true;
  }
}

/**
 * Finished ids, oldest first, each forgotten `memory` ms after it finished or once
 * MAX_FINISHED_REMEMBERED newer ones exist. A queue beside a Set rather than one Map: a JavaScriptCore
 * Map deleted from its oldest end keeps the deleted slots until it rehashes, and finding the oldest
 * live entry then walks them (53 us per step at 100,000 entries, measured).
 */
class FinishedIdQueue {
  private readonly ids = new Set<string>();
  /** Slots before `head` are forgotten and cleared, so they hold no string. */
  private queue: (string | undefined)[] = [];
  private forgetAt: number[] = [];
  private head = 0;

  constructor(private readonly memory: number) {}

  has(id: string): boolean {
    return this.ids.size > 0 && this.ids.has(id);
  }

  /** Records `id` as finished at `now`: true the first time, false if it already was. */
  finish(id: string, now: number): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    this.queue.push(id);
    this.forgetAt.push(now + this.memory);
    while (this.head < this.queue.length && (this.forgetAt[this.head]! <= now || this.ids.size > MAX_FINISHED_REMEMBERED)) {
      this.ids.delete(this.queue[this.head]!);
      this.queue[this.head] = undefined;
      this.head++;
    }
    // Drop the forgotten front once it is half the arrays.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.forgetAt = this.forgetAt.slice(this.head);
      this.head = 0;
    }
    return true;
  }
}
