/**
 * How much of a global budget one region may hold (pure).
 *
 * Invariant kept by every grant: Σ over regions of max(granted, spent) ≤ cap (restored by shrinking a
 * region's allowance toward its spend when a lowered cap broke it). A region whose lease expired
 * (lapsed) still counts its whole grant while it has not been heard from since: it may have spent all
 * of it without the control plane seeing any (cut off from it, or a crashed proxy whose outbox ships on
 * restart). Its unused allowance is released when it asks again more than a grace period after expiry,
 * since its ask reports the spend it counted, when it is heard from otherwise after that (its proxies'
 * snapshot polls report their usage outboxes drained past the lapse: region-heard.repo.ts), since its usage is then in the ledger,
 * or when the period ends (a new period is a new level): a region that never comes back holds its last
 * lease's room until then.
 * A region enforces spent + reserved ≤ granted locally, so the only way past the cap is a settled cost
 * above its reservation (see the overshoot bound in region-proxy/leases/leased-budgets.ts).
 *
 * Sizing: a region gets enough to cover `horizonS` seconds of its recent spend rate, at least a floor
 * (so an idle region can start) and at least the reservation it is waiting on; while other regions hold
 * live leases it takes at most half of what is free, so the last dollars are split, not grabbed.
 */
import { addMicros } from "./spend-ceiling.ts";

export interface LeasePolicy {
  /** Fraction of the cap an idle region may hold (default 0.05). */
  floorFraction: number;
  /** Seconds of recent spend a grant covers (default 30). */
  horizonS: number;
  /** A lease lives this long without renewal (default 60 s). */
  ttlMs: number;
  /** After expiry, the region's own next ask releases its unused allowance once this has passed too (longer than any request: default 130 s). */
  reclaimGraceMs: number;
}

export const DEFAULT_LEASE_POLICY: LeasePolicy = { floorFraction: 0.05, horizonS: 30, ttlMs: 60_000, reclaimGraceMs: 130_000 };

export interface RegionState {
  region: string;
  grantedMicros: number;
  /** max(ledger spend, spend the region reported). */
  spentMicros: number;
  /**
   * True once its lease expired past the grace (or it never had one): it holds no live lease. The
   * requester then counts only its spend (its ask just reported it: the rest of its allowance is
   * released); any other region still counts its whole grant, which it may have spent unseen, unless
   * heardSinceLapse.
   */
  lapsed: boolean;
  /**
   * Lapsed, and the region has reached the control plane since (region-heard.repo.ts): its usage outbox
   * ships, so its spend counts and the rest of its grant is released.
   */
  heardSinceLapse?: boolean;
}

export interface GrantInput {
  capMicros: number;
  requester: RegionState;
  others: RegionState[];
  /** The requester's recent spend rate in micros per second. */
  rateMicrosPerS: number;
  /** The largest reservation the requester is waiting on. */
  needMicros: number;
  policy: LeasePolicy;
}

export interface GrantResult {
  grantedMicros: number;
  exhausted: boolean;
}

/** True once a lease expired at `expiresAt` has passed its grace too: it is no live lease (RegionState.lapsed). */
export const leaseLapsed = (expiresAt: Date, now: Date, policy: LeasePolicy) => expiresAt.getTime() + policy.reclaimGraceMs < now.getTime();

/**
 * What another region holds against the cap: its whole grant while live, or lapsed and silent since
 * (it may have spent it unseen); only its spend once heard from after the lapse.
 */
const heldByOther = (r: RegionState) => (r.lapsed && r.heardSinceLapse ? r.spentMicros : Math.max(r.grantedMicros, r.spentMicros));
/**
 * The room a region holds beyond its spend as every other region's grant counts it: what no other region
 * can be granted, though this one has not spent it (budgetStatus's reserved).
 */
export const unspentHeld = (r: RegionState) => heldByOther(r) - r.spentMicros;
/** What the requester holds: after a lapse, the spend its ask reported. */
const heldByRequester = (r: RegionState) => (r.lapsed ? r.spentMicros : Math.max(r.grantedMicros, r.spentMicros));

/**
 * The requester's new cumulative allowance.
 * @example grantLease({ capMicros: 1_000_000, requester: { region: "eu", grantedMicros: 0, spentMicros: 0, lapsed: false }, others: [], rateMicrosPerS: 0, needMicros: 0, policy: DEFAULT_LEASE_POLICY })
 *   // { grantedMicros: 50_000, exhausted: false }
 */
export function grantLease(input: GrantInput): GrantResult {
  const { capMicros, requester, policy } = input;
  // Saturating (spend-ceiling.ts): every figure and every result stays an exact integer.
  const others = addMicros(...input.others.map(heldByOther));
  const own = heldByRequester(requester);
  // Over-committed (the cap was lowered, or others overshot): shrink to what is left, never below the spend.
  // The proxy enforces each answer as it comes, so a smaller allowance takes effect on its next renewal.
  if (addMicros(others, own) > capMicros) return { grantedMicros: Math.max(requester.spentMicros, capMicros - others), exhausted: true };
  const free = Math.max(0, capMicros - others - own);
  const outstanding = own - requester.spentMicros;
  const target = Math.max(Math.ceil(capMicros * policy.floorFraction), Math.ceil(input.rateMicrosPerS * policy.horizonS), input.needMicros);
  const share = input.others.some((r) => !r.lapsed && r.grantedMicros > r.spentMicros) ? 0.5 : 1;
  const wanted = Math.min(Math.max(0, target - outstanding), Math.floor(free * share));
  const needed = Math.max(0, input.needMicros - outstanding);
  const delta = Math.min(free, Math.max(wanted, needed));
  const exhausted = free - delta <= 0 || outstanding + delta < input.needMicros;
  return { grantedMicros: own + delta, exhausted };
}

/** Exponentially weighted spend rate: half the weight on the newest interval. */
export function nextRate(previousRate: number, previousSpent: number, spent: number, elapsedMs: number): number {
  if (elapsedMs < 50) return previousRate;
  const instant = (Math.max(0, spent - previousSpent) * 1000) / elapsedMs;
  return previousRate * 0.5 + instant * 0.5;
}
