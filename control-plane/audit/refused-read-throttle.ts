/**
 * Which refused reads are written to the audit log. The refused reads of a principal that does not read
 * the field everywhere (a tenant admin probing elsewhere, a principal with no role) are audited as
 * probes (auth/authorize.middleware.ts), but each row is an append to the permanent chain under the
 * global config lock: one per root field, up to 30 per request, let anyone holding a token grow the log
 * without bound and hold up every configuration change behind it. So at most one row per operation, and
 * per principal one a minute; the next row counts the refused reads left out since (`suppressed`: how
 * many, and by field), as the refused-token log counts its lines (http/refused-token-log.ts), so none is
 * lost without a trace. The count is held in memory until that row: a control plane that stops first
 * loses it. Refused mutations are not throttled: every one is audited.
 */
import type { AppDeps, GraphQLContext } from "../graphql/context.ts";

const WINDOW_MS = 60_000;
/** Past this many principals, those whose minute has passed with nothing pending are forgotten. */
const PRUNE_AT = 1000;

/** The refused reads a row stands for beyond its own: how many, and how many of each root field. */
export interface SuppressedReads {
  count: number;
  fields: Record<string, number>;
}

export class RefusedReadThrottle {
  private readonly seen = new Map<string, { at: number; suppressed: SuppressedReads }>();

  /**
   * A refused read of `field` by `principalId` at `now`: null when it is not to be written (counted for
   * the next row), else what that row stands for beyond itself (count 0 for nothing).
   */
  admit(principalId: string, field: string, now: number): SuppressedReads | null {
    const last = this.seen.get(principalId);
    if (last && now - last.at < WINDOW_MS) {
      this.count(principalId, field);
      return null;
    }
    if (!last && this.seen.size >= PRUNE_AT) this.prune(now);
    this.seen.set(principalId, { at: now, suppressed: { count: 0, fields: {} } });
    return last?.suppressed ?? { count: 0, fields: {} };
  }

  /** Counts a refused read that gets no row of its own, for the principal's next row. */
  count(principalId: string, field: string): void {
    const entry = this.seen.get(principalId);
    if (!entry) return;
    entry.suppressed.count++;
    entry.suppressed.fields[field] = (entry.suppressed.fields[field] ?? 0) + 1;
  }

  private prune(now: number): void {
    for (const [id, entry] of this.seen) if (now - entry.at >= WINDOW_MS && entry.suppressed.count === 0) this.seen.delete(id);
  }
}

/** Each control plane's own throttle (several run in one process in tests), by its deps. */
const throttles = new WeakMap<AppDeps, RefusedReadThrottle>();
/** Operations that have written their refused-read row (Apollo gives each operation of a batch its own context). */
const written = new WeakSet<GraphQLContext>();

/**
 * Whether this refused read of `field` in the operation of `context` is written: null when not (it is
 * counted instead), else the reads its row stands for beyond itself.
 */
export function refusedReadToAudit(context: GraphQLContext, field: string): SuppressedReads | null {
  let throttle = throttles.get(context.deps);
  if (!throttle) throttles.set(context.deps, (throttle = new RefusedReadThrottle()));
  if (written.has(context)) {
    throttle.count(context.actor, field);
    return null;
  }
  const suppressed = throttle.admit(context.actor, field, Date.now());
  if (suppressed) written.add(context);
  return suppressed;
}
