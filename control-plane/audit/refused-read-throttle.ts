/**
 * How refused reads reach the audit log. The refused reads of a principal that does not read the field
 * everywhere (a tenant admin probing elsewhere, a principal with no role) are audited as probes
 * (auth/authorize.middleware.ts), but each row is an append to the permanent chain under the global
 * config lock: one per root field, up to 30 per request, let anyone holding a token grow the log without
 * bound and hold up every configuration change behind it. So per principal one operation row a minute and
 * a bounded few summary rows, and none of the reads lost:
 *
 * - An operation's refused reads are gathered while it runs and, when it answers, written as one row
 *   (`refused.<first field>`, its target, code and message) naming every refused field with its target
 *   and code (`refused`, at most MAX_ROOT_FIELDS; `moreRefused` counts any beyond), if the principal has
 *   had no row this minute.
 * - Otherwise they are held: at the end of the principal's minute a timer writes a summary row
 *   (`refused.reads`: `suppressed` = how many, how many of each field, the first MAX_SUMMARY_TARGETS
 *   distinct targets and how many reads named others) per actor the reads were made as (token, issuer,
 *   address: at most MAX_HELD_ACTORS and one row for the rest), which starts its next minute.
 * - A row that cannot be written (BUSY on the config lock) puts its reads back among those held, for
 *   the next summary; a read refused after its operation's row was written is held the same way.
 *
 * Held reads are in memory: the control plane's graceful stop waits (a little) for the operations
 * still running, then writes them (flushRefusedReads); a read refused after that is logged as lost,
 * with its targets, and a crash loses them. The timers are unref'd, so they never keep a process alive.
 */
import { MAX_ROOT_FIELDS } from "../graphql/query-limits.ts";
import type { AppDeps, GraphQLContext } from "../graphql/context.ts";
import { refusalActor, type AuditActor } from "./audit-actor.ts";
import type { RefusalAudit } from "./refusal-audit.ts";
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
interface SuppressedReads {
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
type WriteAudit = (who: AuditActor, audit: Audit) => Promise<void>;

/** Reads held back, as a summary row will say them; each listed target with how many reads named it. */
interface Held {
  count: number;
  fields: Record<string, number>;
  /** The first MAX_SUMMARY_TARGETS distinct targets, in the order first named, each with its reads. */
  targets: Map<string, number>;
  otherTargets: number;
  since: string;
}

const heldOf = (reads: RefusedRead[], since: string): Held => {
  const held: Held = { count: 0, fields: {}, targets: new Map(), otherTargets: 0, since };
  for (const read of reads) {
    held.count++;
    held.fields[read.field] = (held.fields[read.field] ?? 0) + 1;
    if (read.target !== "") countTarget(held, read.target, 1);
  }
  return held;
};

/** `n` reads naming `target`: listed while there is room (or already listed), else counted in otherTargets. */
function countTarget(held: Held, target: string, n: number): void {
  if (held.targets.has(target) || held.targets.size < MAX_SUMMARY_TARGETS) held.targets.set(target, (held.targets.get(target) ?? 0) + n);
  else held.otherTargets += n;
}

/**
 * Adds `later` to `into` (reads held after them): counts summed, `later`'s targets listed after
 * `into`'s while there is room, each read naming one past the bound counted in otherTargets.
 */
function merge(into: Held, later: Held): void {
  into.count += later.count;
  for (const [field, n] of Object.entries(later.fields)) into.fields[field] = (into.fields[field] ?? 0) + n;
  for (const [target, n] of later.targets) countTarget(into, target, n);
  into.otherTargets += later.otherTargets;
}

const summaryOf = (held: Held): SuppressedReads => ({ ...held, targets: [...held.targets.keys()] });

/**
 * Who a summary row is written as: the principal, the token, its issuer and the client address the
 * reads were made with (audit-actor.ts), as the operation's own row is. A principal's tokens (one
 * stolen, one an admin issued to act as it) each get their own summary row: revoking a token voids
 * what was done with it (GOVERNANCE.md), so a row must not put one token's reads under another.
 */
const actorKey = (who: AuditActor) => JSON.stringify([who.tokenId ?? null, who.issuedBy ?? null, who.clientAddress]);
/**
 * How many actors of one principal a minute's summary rows name; the reads of any further ones are one
 * row more, written as the principal alone (no token, issuer or address) and saying so (`actorsNotNamed`),
 * so the rows a principal's minute ends with stay bounded whatever addresses its requests come from.
 */
export const MAX_HELD_ACTORS = 20;
const UNNAMED = "unnamed";

interface PrincipalState {
  /** When its last row was written (or last admitted): its minute runs from here. */
  at: number;
  /** The reads held for its next summary rows, by actor (actorKey, or UNNAMED past MAX_HELD_ACTORS). */
  held: Map<string, { who: AuditActor; held: Held }>;
  timer: ReturnType<typeof setTimeout> | null;
}

export class RefusedReadThrottle {
  private readonly principals = new Map<string, PrincipalState>();
  /** After close(): nothing more is held. */
  private closed = false;

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
    if (this.closed) return this.lost(who, heldOf(reads, new Date(this.now()).toISOString()));
    const now = this.now();
    const state = this.principals.get(who.id);
    if (state && now - state.at < WINDOW_MS) return this.hold(who, reads);
    if (!state && this.principals.size >= PRUNE_AT) this.prune(now);
    this.principals.set(who.id, { at: now, held: state?.held ?? new Map(), timer: state?.timer ?? null });
    const listed = reads.slice(0, MAX_ROOT_FIELDS);
    const after = { ...(first.after as object), refused: listed, ...(reads.length > listed.length ? { moreRefused: reads.length - listed.length } : {}) };
    try {
      await this.write(who, { ...first, after });
    } catch (error) {
      // Once closed, hold logs them as lost instead.
      if (!this.closed) this.log(`could not audit ${reads.length} refused read(s) of ${who.id} (held for the next summary row): ${String(error)}`);
      this.hold(who, reads);
    }
  }

  /** Refused reads that get no row of their own: counted into the next summary row of their actor. */
  hold(who: AuditActor, reads: RefusedRead[], since = new Date(this.now()).toISOString()): void {
    if (reads.length === 0) return;
    if (this.closed) return this.lost(who, heldOf(reads, since));
    let state = this.principals.get(who.id);
    if (!state) this.principals.set(who.id, (state = { at: this.now(), held: new Map(), timer: null }));
    this.heldAs(state, who, heldOf(reads, since));
    this.arm(who.id, state);
  }

  /** Writes every summary still held now, its timers cancelled. */
  async flush(): Promise<void> {
    await Promise.all([...this.principals.keys()].map((id) => this.writeSummary(id)));
  }

  /**
   * The last write (the control plane's graceful stop, its database about to close): writes what is
   * held; from then on reads, and rows that fail, are logged as lost with their targets, never held
   * for a summary no one would write.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  /** What the principal holds, all its actors together, if anything (for tests). */
  heldFor(principalId: string): SuppressedReads | null {
    const held = [...(this.principals.get(principalId)?.held.values() ?? [])].map((entry) => entry.held);
    if (held.length === 0) return null;
    const all: Held = { count: 0, fields: {}, targets: new Map(), otherTargets: 0, since: held[0]!.since };
    for (const each of held) merge(all, each);
    return summaryOf(all);
  }

  /** Adds `held` to what the principal holds for `who`; an actor past MAX_HELD_ACTORS joins the unnamed. */
  private heldAs(state: PrincipalState, who: AuditActor, held: Held): void {
    let key = actorKey(who);
    if (!state.held.has(key) && state.held.size >= MAX_HELD_ACTORS) {
      key = UNNAMED;
      who = { id: who.id, clientAddress: null, tokenId: null, issuedBy: null };
    }
    const entry = state.held.get(key);
    if (entry) merge(entry.held, held);
    else state.held.set(key, { who, held });
  }

  private arm(id: string, state: PrincipalState): void {
    if (state.timer) return;
    const delay = Math.max(0, state.at + WINDOW_MS - this.now());
    state.timer = setTimeout(() => void this.writeSummary(id), delay);
    // A summary never keeps the process alive: a graceful stop writes it (flush), a crash loses it.
    state.timer.unref?.();
  }

  /** One summary row per actor the principal holds reads of. */
  private async writeSummary(id: string): Promise<void> {
    const state = this.principals.get(id);
    if (!state) return;
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    const held = state.held;
    if (held.size === 0) return;
    // Taken before the writes, so a flush racing the timer writes them once.
    state.held = new Map();
    state.at = this.now();
    for (const [key, entry] of held) {
      const after = { suppressed: summaryOf(entry.held), ...(key === UNNAMED ? { actorsNotNamed: true } : {}) };
      try {
        await this.write(entry.who, { action: "refused.reads", target: "", after });
      } catch (error) {
        if (this.closed) this.lost(entry.who, entry.held, String(error));
        else {
          this.log(`could not audit the ${entry.held.count} refused read(s) held for ${id} (kept for the next summary row): ${String(error)}`);
          this.putBack(id, key, entry);
        }
      }
    }
  }

  /** A summary that could not be written: what was held for its actor since is merged after it, for the next one. */
  private putBack(id: string, key: string, failed: { who: AuditActor; held: Held }): void {
    const state = this.principals.get(id)!;
    const since = state.held.get(key);
    if (since) merge(failed.held, since.held);
    // Back under its own key even past MAX_HELD_ACTORS: it was admitted once, so at most twice the bound.
    state.held.set(key, failed);
    this.arm(id, state);
  }

  /** Reads no row will have: the stop's last write is done, or failed. One log line naming them. */
  private lost(who: AuditActor, held: Held, error?: string): void {
    const why = error ? `the control plane's last write at its stop failed (${error})` : "the control plane stopped before they could be written";
    this.log(`${held.count} refused read(s) of ${who.id} (token ${who.tokenId ?? "none"}, address ${who.clientAddress ?? "unknown"}) lost, not audited: ${why}: ${JSON.stringify(summaryOf(held))}`);
  }

  private prune(now: number): void {
    for (const [id, state] of this.principals) if (now - state.at >= WINDOW_MS && state.held.size === 0) this.principals.delete(id);
  }
}

/**
 * Each control plane's refused reads (several run in one process in tests), by its deps, weakly: a
 * stopped control plane's entry goes with its deps. `inFlight`: its operations not yet answered, which
 * its stop waits for (a little) before the last write.
 */
interface PlaneReads {
  throttle: RefusedReadThrottle;
  inFlight: Set<GraphQLContext>;
  /** Called when inFlight empties. */
  idle: (() => void)[];
}
const planes = new WeakMap<AppDeps, PlaneReads>();
/** The throttles not yet stopped, for flushHeldRefusedReadsNow; weak, as `planes`. */
const openThrottles = new Set<WeakRef<RefusedReadThrottle>>();
/** How long a stop waits for the operations still running before the last write; later reads are logged as lost. */
const STOP_WAIT_MS = 5_000;

function planeOf(deps: AppDeps): PlaneReads {
  let plane = planes.get(deps);
  if (!plane) {
    const write: WriteAudit = async (who, audit) => {
      await runAudited(deps.sql, who, async () => ({ result: null, audit }));
    };
    plane = { throttle: new RefusedReadThrottle(write, deps.log), inFlight: new Set(), idle: [] };
    planes.set(deps, plane);
    openThrottles.add(new WeakRef(plane.throttle));
  }
  return plane;
}
const throttleOf = (deps: AppDeps) => planeOf(deps).throttle;

/** An operation's refused reads so far, and its first refusal's row (null if none before it answered); `ended` once it answered. */
interface OperationReads {
  reads: RefusedRead[];
  first: Audit | null;
  ended: boolean;
}
/** Per operation (Apollo gives each operation of a batch its own context). */
const operations = new WeakMap<GraphQLContext, OperationReads>();

/**
 * A refused read of `field` by the operation of `context`, `audit` its refusal's row (its target and
 * code are the read's): gathered for the operation's row, or, refused after that row (a non-null
 * field's error answered the operation first), held for the principal's summary.
 */
export function noteRefusedRead(context: GraphQLContext, field: string, audit: RefusalAudit): void {
  const read: RefusedRead = { field, target: audit.target, code: audit.after.code };
  const operation = operations.get(context);
  if (!operation) operations.set(context, { reads: [read], first: audit, ended: false });
  else if (!operation.ended) operation.reads.push(read);
  else throttleOf(context.deps).hold(refusalActor(context.who), [read]);
}

/**
 * The operation of `context` answers: its refused reads are written as one row, or held. It is marked
 * answered even with none noted yet, so reads refused after the answer (behind a non-null field that
 * failed first for another reason) are held for the summary, not gathered for a row never written.
 */
export async function operationAnswered(context: GraphQLContext): Promise<void> {
  const plane = planeOf(context.deps);
  try {
    const operation = operations.get(context);
    if (operation?.ended) return;
    if (!operation) return void operations.set(context, { reads: [], first: null, ended: true });
    operation.ended = true;
    await plane.throttle.operationEnded(refusalActor(context.who), operation.reads, operation.first!);
  } finally {
    plane.inFlight.delete(context);
    if (plane.inFlight.size === 0) for (const idle of plane.idle.splice(0)) idle();
  }
}

/** The operation of `context` starts: a graceful stop waits for it to answer (and its row) before the last write. */
export function operationStarted(context: GraphQLContext): void {
  planeOf(context.deps).inFlight.add(context);
}

/**
 * The graceful stop of the control plane of `deps`, its HTTP server and Apollo stopped, its database
 * still open: waits up to STOP_WAIT_MS for the operations still running to answer (their refused
 * reads written or held), then writes what is held. A read refused after that (a field still running
 * after its operation answered, or an operation past the wait) is logged as lost, with its targets.
 */
export async function flushRefusedReads(deps: AppDeps): Promise<void> {
  const plane = planes.get(deps);
  if (!plane) return;
  if (plane.inFlight.size > 0) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([new Promise<void>((idle) => plane.idle.push(idle)), new Promise<void>((r) => (timer = setTimeout(r, STOP_WAIT_MS)))]);
    clearTimeout(timer);
    if (plane.inFlight.size > 0) deps.log(`control plane stopping: ${plane.inFlight.size} operation(s) still running after ${STOP_WAIT_MS} ms; their refused reads, if any, are logged as lost`);
  }
  for (const ref of openThrottles) if (ref.deref() === plane.throttle) openThrottles.delete(ref);
  await plane.throttle.close();
}

/** Writes now what every control plane of this process holds, as their timers would a minute on (tests). */
export async function flushHeldRefusedReadsNow(): Promise<void> {
  const throttles: RefusedReadThrottle[] = [];
  for (const ref of openThrottles) {
    const throttle = ref.deref();
    if (throttle) throttles.push(throttle);
    else openThrottles.delete(ref);
  }
  await Promise.all(throttles.map((throttle) => throttle.flush()));
}
