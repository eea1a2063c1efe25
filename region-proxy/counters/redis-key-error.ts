/**
 * Redis answering a call with an error is not Redis being unreachable. A key of another type under a
 * tenant's name (WRONGTYPE: a hand-written key, a collision) fails every call on that key and no
 * other; a replica that turned degraded on it refused every tenant's budget (fail closed) and flapped
 * back on the next ping, which Redis answers. The Redis-backed parts (resilient-counters.ts,
 * breaker/resilient-breaker.ts) fail only the call that met such a key, and say which key in the log.
 *
 * Errors that speak for the whole server (still loading its data set, a script hogging it, a replica
 * that cannot write, a cluster or a master down, out of memory, refused credentials) are outages all
 * the same: every call would get them, and the in-process fallback is what they call for.
 */
import { ReplyError } from "ioredis";
import { replyCodeMatcher } from "./reply-code.ts";

/** A budget level whose keys Redis holds as something else than the ledger's (redis-budget-ledger.ts). */
export class RedisKeyError extends Error {
  constructor(
    message: string,
    /** The budget scope of the first such level, when the call was about budget levels. */
    readonly scope?: string,
  ) {
    super(message);
    this.name = "RedisKeyError";
  }
}

/** The codes of the error replies that mean the server, not one key, cannot serve now (also inside a script's error: reply-code.ts). */
const SERVER_WIDE = replyCodeMatcher(["LOADING", "BUSY", "NOSCRIPT", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "OOM", "MISCONF", "NOREPLICAS", "NOAUTH", "WRONGPASS", "NOPERM"]);

/** True for an error Redis answered about the data a call touched (fail that call only), false for an outage. */
export function isKeyError(error: unknown): boolean {
  if (error instanceof RedisKeyError) return true;
  return error instanceof ReplyError && !SERVER_WIDE.test(String((error as Error).message));
}

/** Most distinct calls remembered for the once-a-minute rule; past it, the memory starts over. */
const MAX_REMEMBERED = 1_000;

/**
 * A log of key errors that names each failing call about once per `everyMs` (a broken key fails every
 * request that touches it: one line a minute says so, thousands would bury the rest).
 *
 * @example const keyErrors = keyErrorLog((line) => console.log(line), "limits");
 *          keyErrors("budget reserve on ten:a day:2026-11-25", error);
 */
export function keyErrorLog(log: ((line: string) => void) | undefined, what: string, everyMs = 60_000, clock: () => number = Date.now): (call: string, error: unknown) => void {
  const lastLogged = new Map<string, number>();
  return (call, error) => {
    if (!log) return;
    const now = clock();
    const last = lastLogged.get(call);
    if (last !== undefined && now - last < everyMs) return;
    if (lastLogged.size >= MAX_REMEMBERED) lastLogged.clear();
    lastLogged.set(call, now);
    log(`${what}: Redis refused ${call}, that call only (${(error as Error)?.message ?? String(error)})`);
  };
}
