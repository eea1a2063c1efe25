/**
 * The half-open probe slots a replica may hold in the shared breaker (Redis), for resilient-breaker.ts:
 * the ones Redis granted it, and the ones it may have granted with the reply lost (the call timed out
 * after Redis ran it), each with the id of the attempt (canAttempt call) Redis marks the slot with.
 * Per slot, the latest verdict on its circuit (success, failure, probe released) that Redis did not
 * hear, owed to it: told when Redis answers again, naming that attempt (Redis applies it only while the
 * slot is still that attempt's), else the slot stays held in Redis, where every replica skips the
 * deployment until the slot lapses (the deployment's total timeout).
 *
 * A slot is forgotten once a verdict on its circuit reached Redis (any verdict resolves a half-open
 * slot), or once it lapsed by itself (nothing left to tell). At most `maxSlots` are kept, the oldest
 * dropped first. Nothing is allocated for a circuit with no slot: `has` is a lookup in a map that is
 * empty while no probe is out.
 */

/** A verdict, named as the CircuitBreaker method that tells it. */
export type ProbeVerdict = "onSuccess" | "onFailure" | "releaseProbe";

interface Slot {
  /** The attempt the slot is (or may be) marked with in Redis. */
  attemptId: string;
  /** null while the probe is out (or its verdict was sent and not yet known to have failed). */
  verdict: ProbeVerdict | null;
  /** The verdict's `nowMs` (undefined: Redis's clock, when told). */
  atMs: number | undefined;
  /** When Redis frees the slot by itself (this process's clock). */
  lapsesAt: number;
}

export interface HeldProbeSlots {
  /** Redis granted attempt `attemptId` the probe on `depId`, or may have: a slot, no verdict yet. */
  take(depId: string, attemptId: string): void;
  /** The attempt of the slot kept for `depId` (lapsed or not); undefined when none is kept. */
  attemptOf(depId: string): string | undefined;
  /**
   * A verdict of attempt `attemptId` on `depId` Redis did not hear: kept (replacing an earlier one), or
   * a slot made for it; dropped when the slot kept is a later attempt's (Redis granted that one the
   * slot, so it no longer was this attempt's).
   */
  owe(depId: string, attemptId: string, verdict: ProbeVerdict, atMs: number | undefined): void;
  /** A verdict on `depId` is being told to Redis: the slot is forgotten (`owe` it again if that fails). */
  forget(depId: string): void;
  /** True when some verdict is owed. */
  owesAny(): boolean;
  /**
   * Tells every owed verdict of a slot that has not lapsed, all at once; each one told is forgotten
   * (unless a newer verdict came meanwhile), lapsed slots are dropped. Rejects with the first failure:
   * the verdicts not told stay owed.
   */
  settle(tell: (verdict: ProbeVerdict, depId: string, attemptId: string, atMs: number | undefined) => Promise<void>): Promise<void>;
  size(): number;
}

/**
 * @example const slots = createHeldProbeSlots((depId) => totalTimeoutOf(depId));
 *          slots.take("dep_a", "r1:7"); slots.owe("dep_a", "r1:7", "onSuccess", undefined);
 *          await slots.settle((verdict, depId, attemptId, atMs) => redisBreaker[verdict](depId, atMs, attemptId));
 */
export function createHeldProbeSlots(probeTimeoutMs: (depId: string) => number, maxSlots = 5_000, clock: () => number = Date.now): HeldProbeSlots {
  const slots = new Map<string, Slot>();

  function add(depId: string, slot: Slot): void {
    slots.delete(depId); // insertion order = age: a new slot goes last
    if (slots.size >= maxSlots) {
      const now = clock();
      for (const [id, old] of slots) {
        if (slots.size < maxSlots && old.lapsesAt > now) break;
        slots.delete(id);
      }
    }
    slots.set(depId, slot);
  }

  return {
    take(depId, attemptId) {
      add(depId, { attemptId, verdict: null, atMs: undefined, lapsesAt: clock() + probeTimeoutMs(depId) });
    },
    attemptOf: (depId) => (slots.size === 0 ? undefined : slots.get(depId)?.attemptId),
    owe(depId, attemptId, verdict, atMs) {
      const slot = slots.get(depId);
      if (slot) {
        if (slot.attemptId !== attemptId) return;
        slot.verdict = verdict;
        slot.atMs = atMs;
      } else add(depId, { attemptId, verdict, atMs, lapsesAt: clock() + probeTimeoutMs(depId) });
    },
    forget(depId) {
      slots.delete(depId);
    },
    owesAny() {
      for (const slot of slots.values()) if (slot.verdict !== null) return true;
      return false;
    },
    async settle(tell) {
      const now = clock();
      const telling: Promise<void>[] = [];
      for (const [depId, slot] of slots) {
        if (slot.lapsesAt <= now) slots.delete(depId);
        else if (slot.verdict !== null) {
          const verdict = slot.verdict;
          telling.push(
            tell(verdict, depId, slot.attemptId, slot.atMs).then(() => {
              if (slots.get(depId) === slot && slot.verdict === verdict) slots.delete(depId);
            }),
          );
        }
      }
      const failed = (await Promise.allSettled(telling)).find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
    },
    size: () => slots.size,
  };
}
