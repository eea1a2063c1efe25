/**
 * The log line of a refused admin token. Failed authentication is not audited (no actor, and the config
 * lock must not be stalled by bad tokens), but a revoked or unknown token presented again — a stolen one —
 * must leave a trace: one line naming its jti and principal when it verifies as ours, else one line for
 * every token that does not (its claims are anyone's to write, so they are not a key to throttle by).
 * Never the token. At most one line per token id a minute, counting the refusals in between, so a flood
 * cannot fill the log; ids are only ever ours (signed), so the map stays as small as the tokens issued.
 */
import type { AppDeps } from "../graphql/context.ts";

const WINDOW_MS = 60_000;
/** Past this many ids, those whose minute has passed are forgotten. */
const PRUNE_AT = 1000;
const UNVERIFIED = "";

export class RefusedTokenLines {
  private readonly seen = new Map<string, { at: number; suppressed: number }>();

  /** The line to log for a refusal of `verified` (the claims of a JWT that verifies, else null) at `now`; null while its minute lasts. */
  lineFor(verified: { jti: string; principalId: string } | null, now: number): string | null {
    const id = verified?.jti ?? UNVERIFIED;
    const last = this.seen.get(id);
    if (last && now - last.at < WINDOW_MS) {
      last.suppressed++;
      return null;
    }
    if (!last && this.seen.size >= PRUNE_AT) this.prune(now);
    this.seen.set(id, { at: now, suppressed: 0 });
    const what = verified
      ? `${verified.jti} of ${verified.principalId} (revoked, expired in the database, unknown, or its principal disabled)`
      : "that does not verify (not ours, malformed or expired; not quoted)";
    return `control plane: refused admin token ${what}${last?.suppressed ? `; ${last.suppressed} more since the last line` : ""}`;
  }

  private prune(now: number): void {
    for (const [id, entry] of this.seen) if (now - entry.at >= WINDOW_MS) this.seen.delete(id);
  }
}

/** Each control plane's own lines (several run in one process in tests), by its deps. */
const linesOf = new WeakMap<AppDeps, RefusedTokenLines>();

/** Logs the refusal of a presented token, throttled (RefusedTokenLines). */
export function logRefusedToken(deps: AppDeps, verified: { jti: string; principalId: string } | null): void {
  let lines = linesOf.get(deps);
  if (!lines) linesOf.set(deps, (lines = new RefusedTokenLines()));
  const line = lines.lineFor(verified, Date.now());
  if (line) deps.log(line);
}
