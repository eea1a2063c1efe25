/**
 * How refused reads reach the audit log. The refused reads of a principal that does not read the field
 * everywhere (a tenant admin probing elsewhere, a principal with no role) are audited as probes
 * (auth/authorize.middleware.ts), but each row is an append to the permanent chain under the global
 * config lock: one per root field, up to 30 per request, let anyone holding a token grow the log without
 * bound and hold up every configuration change behind it. So per principal at most one row a minute,
 * and none of the reads lost:
 *
 * - An operation's refused reads are gathered while it runs and, when it answers, written as one row
 *   (`refused.<first field>`, its target, code and message) naming every refused field with its target
 *   and code (`refused`, at most MAX_ROOT_FIELDS; `moreRefused` counts any beyond), if the principal has
 *   had no row this minute.
 * - Otherwise they are held: at the end of the principal's minute a timer writes one summary row
 *   (`refused.reads`: `suppressed` = how many, how many of each field, the first MAX_SUMMARY_TARGETS
 *   distinct targets and how many reads named others), which starts its next minute.
 * - A row that cannot be written (BUSY on the config lock) puts its reads back among those held, for
 *   the next summary; a read refused after its operation's row was written is held the same way.
 *
 * Held reads are in memory: the control plane's graceful stop writes them (flushRefusedReads); a crash
 * loses them. The timers are unref'd, so they never keep a process alive.
 */
import { MAX_ROOT_FIELDS } from "../graphql/query-limits.ts";
import type { AppDeps, GraphQLContext } from "../graphql/context.ts";
import type { AuditActor } from "./audit-actor.ts";
import { runAudited, type AuditedOutcome } from "./run-audited.ts";

const WINDOW_MS = 60_000;
/** How many distinct targets a summary row names; the reads naming others are counted. */
export const MAX_SUMMARY_TARGETS = 50;
/** Past this many principals, those whose minute has passed with nothing held are forgotten. */
const PRUNE_AT = 1000;

/** One refused root field of an operation. */
export interface RefusedRead {
  field: string;
  /** The id it aimed at (refusal-target.ts), "" for none. */
  target: string;
  code: string;
}

/** What a summary row says of the reads held back: how many, by field, and which targets. */
export interface SuppressedReads {
  count: number;
  fields: Record<string, number>;
  /** The distinct targets named, the first MAX_SUMMARY_TARGETS. */
  targets: string[];
  /** Reads naming a target not listed (past MAX_SUMMARY_TARGETS). */
  otherTargets: number;
  /** When the first of them was refused. */
  since: string;
}

type Audit = AuditedOutcome<null>["audit"];
/** Appends one audit row as `who`; rejects when it could not (BUSY on the config lock, the database down). */
export type WriteAudit = (who: AuditActor, audit: Audit) => Promise<void>;

interface PrincipalState {
  /** When its last row was written (or last admitted): its minute runs from here. */
  at: number;
  /** The actor its held reads are written as (the latest request's). */
  who: AuditActor;
  held: SuppressedReads | null;
  timer: ReturnType<typeof setTimeout> | null;
}

export class RefusedReadThrottle {
  private readonly principals = new Map<string, PrincipalState>();

  constructor(
    private readonly write: WriteAudit,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * An operation's refused reads, `first` the row its first refusal would have (refusal-audit.ts):
   * written as one row when the principal has had none this minute, else held for its summary.
   */
  async operationEnded(who: AuditActor, reads: RefusedRead[], first: Audit): Promise<void> {
    if (reads.length === 0) return;
    const now = this.now();
    const state = this.principals.get(who.id);
    if (state && now - state.at < WINDOW_MS) return this.hold(who, reads);
    if (!state && this.principals.size >= PRUNE_AT) this.prune(now);
    this.principals.set(who.id, { at: now, who, held: state?.held ?? null, timer: state?.timer ?? null });
    const listed = reads.slice(0, MAX_ROOT_FIELDS);
    const after = { ...(first.after as object), refused: listed, ...(reads.length > listed.length ? { moreRefused: reads.length - listed.length } : {}) };
    try {
      await this.write(who, { ...first, after });
    } catch (error) {
      this.log(`could not audit ${reads.length} refused read(s) of ${who.id} (held for the next summary row): ${String(error)}`);
      this.hold(who, reads);
    }
  }

  /** Refused reads that get no row of their own: counted into the principal's next summary row. */
  hold(who: AuditActor, reads: RefusedRead[], since = new Date(this.now()).toISOString()): void {
    if (reads.length === 0) return;
    let state = this.principals.get(who.id);
    if (!state) this.principals.set(who.id, (state = { at: this.now(), who, held: null, timer: null }));
    state.who = who;
    const held = (state.held ??= { count: 0, fields: {}, targets: [], otherTargets: 0, since });
    for (const read of reads) {
      held.count++;
      held.fields[read.field] = (held.fields[read.field] ?? 0) + 1;
      if (read.target === "" || held.targets.includes(read.target)) continue;
      if (held.targets.length < MAX_SUMMARY_TARGETS) held.targets.push(read.target);
      else held.otherTargets++;
    }
    this.arm(who.id, state);
  }

  /** Writes every summary still held now (the control plane's graceful stop), its timers cancelled. */
  async flush(): Promise<void> {
    await Promise.all([...this.principals.keys()].map((id) => this.writeSummary(id)));
  }

  /** The principal's held reads, if any (for tests). */
  heldFor(principalId: string): SuppressedReads | null {
    return this.principals.get(principalId)?.held ?? null;
  }

  private arm(id: string, state: PrincipalState): void {
    if (state.timer) return;
    const delay = Math.max(0, state.at + WINDOW_MS - this.now());
    state.timer = setTimeout(() => void this.writeSummary(id), delay);
    // A summary never keeps the process alive: a graceful stop writes it (flush), a crash loses it.
    state.timer.unref?.();
  }

  private async writeSummary(id: string): Promise<void> {
    const state = this.principals.get(id);
    if (!state) return;
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    const held = state.held;
    if (!held) return;
    // Taken before the write, so a flush racing the timer writes it once.
    state.held = null;
    state.at = this.now();
    try {
      await this.write(state.who, { action: "refused.reads", target: "", after: { suppressed: held } });
    } catch (error) {
      this.log(`could not audit the ${held.count} refused read(s) held for ${id} (kept for the next summary row): ${String(error)}`);
      this.putBack(id, held);
    }
  }

  /** A summary that could not be written: merged with what was held since, for the next one. */
  private putBack(id: string, held: SuppressedReads): void {
    const state = this.principals.get(id)!;
    const since = state.held;
    state.held = held;
    if (since) {
      held.count += since.count;
      for (const [field, n] of Object.entries(since.fields)) held.fields[field] = (held.fields[field] ?? 0) + n;
      for (const target of since.targets) {
        if (held.targets.includes(target)) continue;
        if (held.targets.length < MAX_SUMMARY_TARGETS) held.targets.push(target);
        else held.otherTargets++;
      }
      held.otherTargets += since.otherTargets;
    }
    this.arm(id, state);
  }

  private prune(now: number): void {
    for (const [id, state] of this.principals) if (now - state.at >= WINDOW_MS && !state.held) this.principals.delete(id);
  }
}

/** Each control plane's own throttle (several run in one process in tests), by its deps; forgotten at its stop. */
const throttles = new Map<AppDeps, RefusedReadThrottle>();

function throttleOf(deps: AppDeps): RefusedReadThrottle {
  let throttle = throttles.get(deps);
  if (!throttle) {
    const write: WriteAudit = async (who, audit) => {
      await runAudited(deps.sql, who, async () => ({ result: null, audit }));
    };
    throttles.set(deps, (throttle = new RefusedReadThrottle(write, deps.log)));
  }
  return throttle;
}

/** An operation's refused reads so far, and its first refusal's row; `ended` once it answered. */
interface OperationReads {
  reads: RefusedRead[];
  first: Audit;
  ended: boolean;
}
/** Per operation (Apollo gives each operation of a batch its own context). */
const operations = new WeakMap<GraphQLContext, OperationReads>();

/**
 * A refused read of the operation of `context`: gathered for the operation's row, or, refused after
 * that row (a non-null field's error answered the operation first), held for the principal's summary.
 */
export function noteRefusedRead(context: GraphQLContext, read: RefusedRead, audit: Audit): void {
  const operation = operations.get(context);
  if (!operation) operations.set(context, { reads: [read], first: audit, ended: false });
  else if (!operation.ended) operation.reads.push(read);
  else throttleOf(context.deps).hold({ ...context.who, stillAllowed: undefined }, [read]);
}

/** The operation of `context` answers: its refused reads are written as one row, or held. */
export async function operationAnswered(context: GraphQLContext): Promise<void> {
  const operation = operations.get(context);
  if (!operation || operation.ended) return;
  operation.ended = true;
  await throttleOf(context.deps).operationEnded({ ...context.who, stillAllowed: undefined }, operation.reads, operation.first);
}

/** Writes the refused reads held by the control plane of `deps`, and forgets its throttle (its graceful stop). */
export async function flushRefusedReads(deps: AppDeps): Promise<void> {
  const throttle = throttles.get(deps);
  throttles.delete(deps);
  await throttle?.flush();
}

/** Writes now what every control plane of this process holds, as their timers would a minute on (tests). */
export async function flushHeldRefusedReadsNow(): Promise<void> {
  await Promise.all([...throttles.values()].map((throttle) => throttle.flush()));
}
