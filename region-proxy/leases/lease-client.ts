/**
 * The proxy's side of global budgets: it holds this region's leases in memory (and in the lease store),
 * and asks the control plane for more IN THE BACKGROUND: on a timer (refreshMs), when what is left of a
 * lease falls under `renewBelow` (30%) of what the last grant left, when a lease expired, when a
 * reservation is waiting for growth, and when the snapshot's cap for a level is not the one its lease
 * was granted under (leased-budgets.ts). Asks are coalesced: every level that needs an answer goes out
 * in one cycle, in requests of LEASE_REQUEST_LEVELS levels sent one after another, so at most one
 * request is in flight per replica (a region's replicas, not its levels, set the control plane's load).
 * A request that times out (the control plane slow with that many levels, or its packets dropped: a
 * black-holed control plane costs a timeout per request), is refused for its own levels (400, 413) or
 * failed while serving them (500: the route serves a request's levels in one handler, so one level's
 * data can fail its request alone; a second 500 in a row is the control plane failing, and ends the
 * cycle) costs only its own levels: the cycle's other requests are still sent. Any other failure (connection refused, 502/503/504 and other 5xx, a 401, a redirect, a 404 not
 * the control plane's, an unusable answer) ends the cycle, as the next request would fare no better: a
 * failing control plane gets one request per cycle per replica, each of which costs it a region-token
 * query even when it answers 503. The cycle logs one line for all of its failures, naming the one
 * that ended it. A level's ask resolves as soon as its own request is
 * answered or failed (or the cycle ended without sending it), not at the end of the cycle.
 *
 * A lease's life is timed on this proxy's clock (`now`) from when its ask was sent (local-lease-expiry.ts),
 * never against the control plane's absolute expiresAt, which a skewed clock would void or stretch.
 *
 * Each answer also repairs the region's spend counter from the PostgreSQL ledger (a set with the ledger's
 * version, never an add, so replicas repairing at once set it once), and only upwards. A usage event
 * is handed to the outbox as its settle is sent to the counter, and reaches the ledger only after the
 * outbox's group window, a flush interval and the control plane's ingestion (over a second), while the
 * settle takes a round trip: so every event in the ledger the control plane read is in practice in the
 * counter as read AFTER the answer arrived - unless the counter lost data (Redis restarted empty, failed
 * over, evicted, or a settle failed while it was down). A settle still in flight when its event reached
 * the ledger (Redis stalled for longer than that) would be counted twice: that error is towards refusing
 * early. So the counter is re-read once the answer is in, and set to the ledger's spend only if that is
 * still higher. A counter ahead of the ledger is usage still in outboxes and is left alone (setting it
 * back would forget that spend and let the region overshoot its lease). Not restored after a loss: spend
 * still in outboxes at the time (it is restored by a later answer once shipped, if the counter has not
 * passed it by then), and what settles during the re-read's round trip. Reads answered by the
 * in-process fallback while Redis is down never repair.
 *
 * After a Redis outage the error can go towards overspending. A settle queued while Redis failed and
 * replayed on its return adds nothing to a level repaired at or after it was queued
 * (redis-budget-ledger.ts createRedisBudgetLedger): another replica may have repaired the counter first from a
 * ledger already holding its event (replicas return one at a time), and counting it again would refuse
 * early for the rest of the period. A repair dates from when its lease request was sent (`requestedAt`,
 * before the control plane read the ledger), so the settles it skips wrongly are those queued within
 * about the outbox's shipping delay (group window, flush, ingestion: a second or two) before the
 * request, their events not yet in that ledger. Their spend is not counted until the ledger passes the
 * counter again (repairs only raise it), which under steady traffic (the counter ahead of the ledger by
 * what is in outboxes) may not happen before the period ends: an under-count of at most their spend, so
 * the region may overspend by up to about that much over the rest of the period. That is chosen over
 * counting the outage's settles twice. (A settle queued after the request was sent is added, even when
 * an answer slower than the shipping delay brought a ledger holding its event: counted twice, towards
 * refusing early.) The rule compares the settling replica's clock with the repairing one's, so it
 * assumes a region's replicas' clocks agree within about the outbox's shipping delay; skew widens both
 * windows by as much. Nothing checks that: the only skew warning (clock-skew-note.ts) compares this
 * proxy's clock with the control plane's, above 30 s.
 */
import { LEASES_PATH, MAX_LEASE_LEVELS, parseLeaseAnswer, type LeaseAnswer, type LeaseAsk } from "../../shared/leases/lease-wire.ts";
import { wirePeriod } from "../../shared/leases/zoned-period.ts";
import { redirectAnswer } from "../../shared/http/redirect-answer.ts";
import { endpointUrl } from "../../shared/http/endpoint-url.ts";
import { readControlPlaneError } from "../../shared/http/control-plane-error.ts";
import { redactedExcerpt } from "../credentials/redact-credential.ts";
import { shownUrl } from "../../shared/config/shown-url.ts";
import { levelId } from "../counters/budget-levels.ts";
import type { BudgetLedger } from "../counters/budget-types.ts";
import { ScopePeriodMap } from "../counters/scope-period-map.ts";
import { clockSkewNote } from "./clock-skew-note.ts";
import { createMemoryLeaseStore, type LeaseStore } from "./lease-store.ts";
import { localLeaseExpiry } from "./local-lease-expiry.ts";

/**
 * The region's spend counters (the Redis or resilient BudgetLedger). Its repair is given as `repairedAt`
 * when the lease request carrying the ledger's figure was sent (epoch ms, Date.now), so before the
 * control plane read that ledger: a settle queued at or before it is taken as in the figure
 * (redis-budget-ledger.ts createRedisBudgetLedger).
 */
export interface LeaseLedger extends Pick<BudgetLedger, "status" | "repair"> {
  /** True while answers come from an in-process fallback instead of the shared counters. */
  degraded?(): boolean;
}

export interface LeaseView {
  /** False: the control plane holds no cap for this level; the snapshot's cap is enforced as is. */
  managed: boolean;
  capMicros: number;
  grantedMicros: number;
  /**
   * Epoch ms on this proxy's clock (`now`): when the ask was sent plus the answer's ttlMs
   * (local-lease-expiry.ts), so it is never later than the control plane's own expiry.
   */
  expiresAt: number;
  exhausted: boolean;
  /**
   * When the answer that granted this lease arrived (this proxy's clock); 0 for a lease loaded from the
   * store. `answeredAt >= expiresAt` is a lease that arrived already expired (an older control plane
   * whose clock disagrees): the control plane answers, so its expiry says nothing about reaching it.
   */
  answeredAt: number;
  /**
   * The snapshot's cap for the level the ask this lease answers was sent for (`ask`'s capMicros, kept
   * by the level for its later asks); undefined when no ask named one. A lease whose capMicros differs
   * from the snapshot's is stale (leased-budgets.ts) unless it answers an ask sent for that cap.
   */
  askedForCapMicros?: number;
}

export interface LeaseClientOptions {
  controlPlaneUrl: string;
  regionToken: string;
  proxyId: string;
  ledger: LeaseLedger;
  store?: LeaseStore;
  /** Levels running low are re-asked this often (default 2 s), the others every 5 × this: renewal, repair, alerts. */
  refreshMs?: number;
  /** Renew when less than this fraction of the last grant's room is left (default 0.3). */
  renewBelow?: number;
  requestTimeoutMs?: number;
  /** Levels unused for this long are no longer refreshed (default 10 min). */
  forgetAfterMs?: number;
  log?: (line: string) => void;
  /** This proxy's clock (default Date.now): leased-budgets.ts must judge expiries on the same one. */
  now?: () => number;
}

export interface LeaseClient {
  /** The current lease of a level; undefined until the control plane (or the store) answered for it. */
  view(scope: string, period: string): LeaseView | undefined;
  /**
   * Asks for the level soon (coalesced with others); resolves once that answer arrived or failed.
   * `capMicros`: the snapshot's cap for the level, which this and later answers are marked with.
   */
  ask(scope: string, period: string, needMicros?: number, capMicros?: number): Promise<void>;
  /** A reservation was taken under the lease: renews in the background when little is left. */
  noteReserved(scope: string, period: string, micros: number): void;
  stop(): Promise<void>;
}

interface Level {
  /** `scope|period`: how the background cycles' batches name it. */
  id: string;
  scope: string;
  period: string;
  view?: LeaseView;
  need: number;
  /** spent + reserved when the last answer arrived, and what was reserved here since. */
  usedAtAnswer: number;
  noted: number;
  /** When the last answer for this level arrived (epoch ms; 0 = never). */
  answeredAt: number;
  lastUsed: number;
  loaded: boolean;
  /** The snapshot's cap the last ask naming one was sent for. */
  snapshotCap?: number;
}

/** A level asked for, with its counter as read for the ask. */
interface Asked {
  ask: LeaseAsk;
  level: Level;
  used: number;
  spent: number;
  snapshotCap?: number;
}

/**
 * Why a lease request got no answer. `endsCycle`: the control plane is out of reach or failing (no
 * connection, a 5xx, a 401, an unusable answer), so the cycle's later requests would fare no better;
 * false for a timeout and for a refusal of this request's own levels.
 */
interface NoAnswer {
  failure: string;
  endsCycle: boolean;
  /** A 500: the route failed serving this request's levels (one level's data, or the whole control plane if the next fails too). */
  servingFailed?: boolean;
}

/**
 * The control plane's refusals that concern only the request's own levels (lease.route.ts): 400 (a
 * level it cannot read, the body not JSON) and 413 (the body too large). Its other refusals (401: the
 * region's token; 405) and anything else's 4xx would refuse every request alike.
 */
function refusesOnlyThisRequest(status: number): boolean {
  return status === 400 || status === 413;
}

/** The message of the control plane's error body (`{ error: { message } }`), else the body (uncut: the log line's excerpt cuts it). */
function errorMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } } | null)?.error?.message;
    if (typeof message === "string") return message;
  } catch {}
  return text;
}

/** The levels of one cycle, and the asks waiting on some of them. */
interface Batch {
  ids: Set<string>;
  /** By level id: resolved once that level's request was answered or failed (or the cycle ended without it). */
  waiting: Map<string, { done: Promise<void>; resolve: () => void }>;
}

/** Resolves the asks waiting on `ids` (all of the batch's when omitted). */
function settle(batch: Batch, ids?: Iterable<string>): void {
  for (const id of ids ?? [...batch.waiting.keys()]) {
    batch.waiting.get(id)?.resolve();
    batch.waiting.delete(id);
  }
}

/**
 * Levels per lease request (the control plane takes up to MAX_LEASE_LEVELS). It serves a request's
 * levels one after another, each ~6 database round trips: 50 levels take ~1 s with its database 3 ms
 * away, well under the 3 s timeout, where 500 took 3 s with the database 1.3 ms away and timed out at
 * every local midnight of a region with 250 keys capped daily and monthly.
 */
export const LEASE_REQUEST_LEVELS = Math.min(50, MAX_LEASE_LEVELS);

/** Starts the background loop; stop() ends it. */
export function startLeaseClient(options: LeaseClientOptions): LeaseClient {
  const store = options.store ?? createMemoryLeaseStore();
  const renewBelow = options.renewBelow ?? 0.3;
  const refreshMs = options.refreshMs ?? 2000;
  const forgetAfterMs = options.forgetAfterMs ?? 600_000;
  const timeoutMs = options.requestTimeoutMs ?? 3000;
  const url = endpointUrl(options.controlPlaneUrl, LEASES_PATH);
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  /** Every level by id, in the order first asked about: what the timer and the cycles go through. */
  const levels = new Map<string, Level>();
  /**
   * The same levels by scope, then period: how the request path (view, noteReserved: four lookups per
   * budgeted request) finds one with the strings its checks hold, with no `scope|period` built per call.
   */
  const byScope = new ScopePeriodMap<Level>();
  let pending: Batch | null = null;
  let inFlight: Promise<void> | null = null;
  let stopped = false;
  let lastFailureLog = 0;
  let skewLogged = false;
  let noLeaseEndpointLogged = false;

  function level(scope: string, period: string): Level {
    let found = byScope.get(scope, period);
    if (!found) {
      found = { id: levelId(scope, period), scope, period, need: 0, usedAtAnswer: 0, noted: 0, lastUsed: now(), loaded: false, answeredAt: 0 };
      levels.set(found.id, found);
      byScope.set(scope, period, found);
    }
    return found;
  }

  /** Drops a level from both indexes (unused for forgetAfterMs). */
  function forget(l: Level): void {
    levels.delete(l.id);
    byScope.delete(l.scope, l.period);
  }

  /** Adds `ids` to the next cycle; `waitOn`: one of them, whose answer the returned promise waits for. */
  function schedule(ids: Iterable<string>, waitOn?: string): Promise<void> | undefined {
    pending ??= { ids: new Set(), waiting: new Map() };
    for (const id of ids) pending.ids.add(id);
    let done: Promise<void> | undefined;
    if (waitOn !== undefined) {
      let waiter = pending.waiting.get(waitOn);
      if (!waiter) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        pending.waiting.set(waitOn, (waiter = { done: promise, resolve }));
      }
      done = waiter.done;
    }
    if (!inFlight) kick();
    return done;
  }

  function kick(): void {
    const batch = pending;
    pending = null;
    if (!batch || stopped) {
      if (batch) settle(batch);
      return;
    }
    inFlight = cycle(batch)
      .catch((error: unknown) => log(`leases: ${(error as Error).message}`))
      .finally(() => {
        settle(batch);
        inFlight = null;
        if (pending) kick();
      });
  }

  async function cycle(of: Batch): Promise<void> {
    const batch = [...of.ids].map((id) => levels.get(id)!).filter(Boolean);
    if (batch.length === 0) return;
    for (const l of batch) {
      if (l.loaded) continue;
      l.loaded = true;
      const stored = await store.load(l.scope, l.period).catch(() => null);
      if (stored && !l.view) l.view = { managed: true, capMicros: stored.capMicros, grantedMicros: stored.grantedMicros, expiresAt: stored.expiresAt, exhausted: stored.exhausted, answeredAt: 0 };
    }
    const statuses = await Promise.all(batch.map((l) => options.ledger.status(l.scope, l.period).catch(() => null)));
    const asked: Asked[] = [];
    batch.forEach((l, i) => {
      const status = statuses[i];
      if (!status) return;
      asked.push({ ask: { scope: l.scope, ...wirePeriod(l.period), spentMicros: status.spentMicros, needMicros: l.need }, level: l, used: status.spentMicros + status.reservedMicros, spent: status.spentMicros, snapshotCap: l.snapshotCap });
    });
    // One request per chunk, one after another. A chunk that timed out (the control plane slow with that
    // many levels) or was refused for its own levels says nothing sure about the next one; any other
    // failure ends the cycle (NoAnswer.endsCycle), its later chunks not sent.
    let firstFailure: string | null = null;
    let failed = 0;
    let sent = 0;
    let notSent = 0;
    let endedBy: string | null = null;
    let failedServing = 0;
    for (let start = 0; start < asked.length && !stopped; start += LEASE_REQUEST_LEVELS) {
      const chunk = asked.slice(start, start + LEASE_REQUEST_LEVELS);
      // The lease's life is counted from here, on this proxy's clock: the round trip counts against it.
      const sentAt = now();
      // And a repair it brings dates from here, on the counters' clock (Date.now, as they date queued
      // settles; `now` may be a test's): before the control plane read the ledger (see the header).
      const requestedAt = Date.now();
      sent++;
      const answer = await post(chunk.map((a) => a.ask), sentAt);
      if ("grants" in answer) await apply(chunk, answer, sentAt, requestedAt);
      else {
        failed++;
        firstFailure ??= answer.failure;
      }
      settle(of, chunk.map((a) => a.level.id));
      // Two 500s in a row: not one level's data but the control plane failing (see the header).
      failedServing = "servingFailed" in answer && answer.servingFailed ? failedServing + 1 : 0;
      if ("endsCycle" in answer && (answer.endsCycle || failedServing >= 2)) {
        notSent = Math.ceil((asked.length - start - chunk.length) / LEASE_REQUEST_LEVELS);
        if (answer.failure !== firstFailure) endedBy = answer.failure;
        break;
      }
    }
    // One line per cycle, and at most one every 10 s.
    if (firstFailure !== null && now() - lastFailureLog > 10_000) {
      lastFailureLog = now();
      const others = failed > 1 ? ` (${failed} of the cycle's ${sent} lease requests failed)` : "";
      const unsent = notSent > 0 ? ` (the cycle's ${notSent} later lease request${notSent > 1 ? "s" : ""} not sent${endedBy === null ? "" : `: ${endedBy}`})` : "";
      log(`leases: ${firstFailure}${others}${unsent}; enforcing the leases held`);
    }
  }

  /**
   * The start of an answer's body for a log line, without the region token: what answered is whatever
   * sits at CONTROL_PLANE_URL, and an ingress's page may echo the request's Authorization header.
   */
  const excerpt = (text: string, chars: number): string => redactedExcerpt(text, chars, options.regionToken);

  /** One lease request: the control plane's answer, or why there is none. */
  async function post(asks: LeaseAsk[], sentAt: number): Promise<LeaseAnswer | NoAnswer> {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${options.regionToken}`, "content-type": "application/json", "x-proxy-id": options.proxyId },
        body: JSON.stringify({ leases: asks }),
        signal: AbortSignal.timeout(timeoutMs),
        // Never re-sent elsewhere: another host's answer (a 404: "no global budget") is not the control plane's.
        redirect: "manual",
      });
      const skew = skewLogged ? null : clockSkewNote(response.headers.get("date"), sentAt, now());
      if (skew !== null) {
        skewLogged = true;
        log(`leases: ${skew}`);
      }
      const redirect = redirectAnswer(response);
      if (redirect !== null) {
        await response.body?.cancel();
        return { failure: `the control plane answered the lease request with a redirect (${redirect}), which is not followed: CONTROL_PLANE_URL should name the control plane itself`, endsCycle: true };
      }
      if (response.status === 404) {
        // The control plane's own 404 (its JSON error, code not_found) is read as one without the lease
        // endpoint: no budget is global, the snapshot's caps hold per region. It answers the same for any
        // path it does not serve (a CONTROL_PLANE_URL with a wrong path), which the body cannot tell
        // apart: so the first such answer of a run is logged. Any other 404 is not the control plane's
        // (an ingress outside its path prefix): no answer, as when it is out of reach.
        const { error, start } = await readControlPlaneError(response);
        if (error?.code === "not_found") {
          if (!noLeaseEndpointLogged) {
            noLeaseEndpointLogged = true;
            log(
              `leases: the lease request to ${shownUrl(url)} was answered 404 not_found by a control plane: read as one that holds no global budget, so budgets are enforced per region only (each region against the snapshot's cap, no global cap). A control plane answers so for any path it does not serve: if it grants leases, CONTROL_PLANE_URL has a wrong path (it should be the control plane's base URL). Logged once per run`,
            );
          }
          return { grants: asks.map((a) => ({ scope: a.scope, period: a.period, managed: false as const })) };
        }
        return { failure: `the lease request to ${shownUrl(url)} was answered 404 by something that is not the control plane (${JSON.stringify(excerpt(start, 80))}): CONTROL_PLANE_URL should be the control plane's base URL (a path prefix missing?)`, endsCycle: true };
      }
      if (response.status >= 400 && response.status < 500) {
        const failure = `the control plane refused the lease request (${response.status}: ${excerpt(errorMessage(await response.text()), 200)})`;
        return { failure, endsCycle: !refusesOnlyThisRequest(response.status) };
      }
      // Reached but failed (a 5xx, a body that is no lease answer): said as such. A 500 is the route
      // failing on this request's levels (one handler serves them all), not the control plane failing.
      if (!response.ok) {
        const servingFailed = response.status === 500;
        return { failure: `the control plane failed the lease request (${response.status}: ${excerpt(errorMessage(await response.text()), 200)})`, endsCycle: !servingFailed, servingFailed };
      }
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return { failure: `the control plane sent an unusable lease answer (not JSON: ${JSON.stringify(excerpt(text, 80))})`, endsCycle: true };
      }
      const parsed = parseLeaseAnswer(body);
      if (typeof parsed === "string") return { failure: `the control plane sent an unusable lease answer (${parsed})`, endsCycle: true };
      return parsed;
    } catch (error) {
      // A timeout is the control plane slow with this request's levels, not out of reach.
      return { failure: `cannot reach the control plane (${(error as Error).message})`, endsCycle: (error as Error).name !== "TimeoutError" };
    }
  }

  /** Takes in the grants of one answer, each matched to the level asked at its place (`requestedAt`: LeaseLedger.repair). */
  async function apply(asked: Asked[], answer: LeaseAnswer, sentAt: number, requestedAt: number): Promise<void> {
    for (const [i, grant] of answer.grants.entries()) {
      const entry = asked[i];
      if (!entry || grant.scope !== entry.level.scope || grant.period !== entry.ask.period) continue;
      const l = entry.level;
      l.need = 0;
      l.answeredAt = now();
      l.usedAtAnswer = entry.used;
      l.noted = 0;
      if (!grant.managed) {
        l.view = { managed: false, capMicros: 0, grantedMicros: 0, expiresAt: Number.MAX_SAFE_INTEGER, exhausted: false, answeredAt: l.answeredAt };
        continue;
      }
      const view = {
        managed: true,
        capMicros: grant.capMicros,
        grantedMicros: grant.grantedMicros,
        expiresAt: localLeaseExpiry(grant, sentAt),
        exhausted: grant.exhausted,
        answeredAt: l.answeredAt,
        askedForCapMicros: entry.snapshotCap,
      };
      l.view = view;
      await store.save({ scope: l.scope, period: l.period, capMicros: view.capMicros, grantedMicros: view.grantedMicros, expiresAt: view.expiresAt, exhausted: view.exhausted }).catch(() => {});
      // The first read is older than the ledger the control plane read: only a re-read may show a loss.
      if (grant.ledgerSpentMicros > entry.spent) {
        const counter = await counterNow(l);
        if (counter !== null && grant.ledgerSpentMicros > counter) {
          await options.ledger.repair(l.scope, l.period, grant.ledgerSpentMicros, grant.ledgerVersion, requestedAt).then(
            () => log(`leases: ${l.scope} ${l.period} counter behind the ledger (${counter} µ$): set to ${grant.ledgerSpentMicros} µ$ (version ${grant.ledgerVersion})`),
            (error: unknown) => log(`leases: repair of ${l.scope} failed: ${(error as Error).message}`),
          );
        }
      }
    }
  }

  /** The shared counter's spend now; null when unreadable or answered by the in-process fallback. */
  async function counterNow(l: Level): Promise<number | null> {
    if (options.ledger.degraded?.()) return null;
    const status = await options.ledger.status(l.scope, l.period).catch(() => null);
    return status === null || options.ledger.degraded?.() ? null : status.spentMicros;
  }

  /**
   * Which levels the timer re-asks: every refreshMs those running low (under half of the last grant's
   * room left) or past half their lease's life; every 5 × refreshMs the rest, so repairs and alerts
   * still come from levels that are far from their limit, without one request per level every tick.
   */
  function due(l: Level, at: number): boolean {
    const since = at - l.answeredAt;
    if (since < refreshMs) return false;
    const view = l.view;
    if (!view?.managed) return since >= 5 * refreshMs;
    const room = view.grantedMicros - l.usedAtAnswer;
    const low = view.grantedMicros - l.usedAtAnswer - l.noted < room / 2;
    const aging = at >= l.answeredAt + (view.expiresAt - l.answeredAt) / 2;
    return low || aging || since >= 5 * refreshMs;
  }

  const timer = setInterval(() => {
    const at = now();
    for (const l of levels.values()) if (at - l.lastUsed >= forgetAfterMs) forget(l);
    const ids = [...levels.entries()].filter(([, l]) => due(l, at)).map(([id]) => id);
    if (ids.length > 0) void schedule(ids);
  }, refreshMs);

  return {
    view(scope, period) {
      const l = byScope.get(scope, period);
      if (l) l.lastUsed = now();
      return l?.view;
    },
    ask(scope, period, needMicros = 0, capMicros) {
      const l = level(scope, period);
      l.lastUsed = now();
      l.need = Math.max(l.need, needMicros);
      if (capMicros !== undefined) l.snapshotCap = capMicros;
      return schedule([l.id], l.id)!;
    },
    noteReserved(scope, period, micros) {
      const l = byScope.get(scope, period);
      if (!l?.view?.managed) return;
      l.noted += micros;
      const room = l.view.grantedMicros - l.usedAtAnswer;
      const left = l.view.grantedMicros - l.usedAtAnswer - l.noted;
      if (((left < room * renewBelow && !l.view.exhausted) || now() >= l.view.expiresAt) && !pending?.ids.has(l.id)) void schedule([l.id]);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
      if (pending) settle(pending);
    },
  };
}
