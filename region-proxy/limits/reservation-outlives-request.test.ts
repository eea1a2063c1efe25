/**
 * A reservation holds as long as the request it covers may run (review rh H1). The snapshot allows a
 * deployment `timeouts.totalMs` up to 1 h (README), and a request may run the sum of its chain's
 * totals; every reservation expired after 10 minutes, so a request still streaming at minute 11 no
 * longer held its worst case, a second one was admitted, and both settling at no more than they
 * reserved still passed the cap. The route passes its total (requestTotalMs) as `mayRunMs`.
 */
import { afterEach, expect, setSystemTime, test } from "bun:test";
import { createLimits } from "./create-limits.ts";
import { DEPLOYMENT, ORG, PROJECT, testKey, testSnapshot } from "./test-snapshot.ts";
import { RESERVATION_MARGIN_MS } from "./enforce-limits.ts";
import { DEFAULT_VENDOR_TIMEOUTS } from "../config.ts";
import { deploymentTotalMs, requestTotalMs } from "../providers/walk-chain.ts";
import type { PlannedTarget } from "../pipeline/plan-route.ts";
import { ZERO_USAGE } from "../../shared/money/cost.ts";

afterEach(() => setSystemTime());

test("a request in flight within its deployment's total timeout still holds its reservation", async () => {
  const start = new Date("2026-11-25T12:00:00Z");
  setSystemTime(start);
  // A reasoning deployment allowed 30 minutes per call (README: totalMs ≤ 3 600 000).
  const deployment = { ...DEPLOYMENT, timeouts: { totalMs: 30 * 60_000 } };
  const probe = testSnapshot({ [ORG]: { budgets: { dailyMicros: 1e12 } } }, { deployments: { [DEPLOYMENT.id]: deployment } });
  const request = { promptTokens: 1000, maxOutputTokens: 2500 };
  // What the route passes: its planned chain's total, here one deployment's own 30 minutes.
  const mayRunMs = requestTotalMs([{ deployment } as PlannedTarget], DEFAULT_VENDOR_TIMEOUTS.totalMs);
  expect(mayRunMs).toBe(deploymentTotalMs(deployment, DEFAULT_VENDOR_TIMEOUTS.totalMs));
  // The worst case of one request, to size a cap that fits one and not two.
  const sizer = await createLimits({ region: "eu" });
  const sized = await sizer.enforcer.admit({ snapshot: probe, key: testKey(), tenantId: PROJECT, featureId: null, request, deployment, mayRunMs, now: start });
  await sizer.close();
  const limits = await createLimits({ region: "eu" });
  if (!sized.ok) throw new Error("refused");
  const worst = sized.ticket.reservedMicros;
  expect(worst).toBeGreaterThan(0);

  const snapshot = testSnapshot({ [ORG]: { budgets: { dailyMicros: Math.floor(worst * 1.5) } } }, { deployments: { [DEPLOYMENT.id]: deployment } });
  const first = await limits.enforcer.admit({ snapshot, key: testKey(), tenantId: PROJECT, featureId: null, request, deployment, mayRunMs, now: start });
  if (!first.ok) throw new Error("first refused");

  // Control: at once, a second one does not fit.
  expect((await limits.enforcer.admit({ snapshot, key: testKey(), tenantId: PROJECT, featureId: null, request, deployment, mayRunMs, now: start })).ok).toBe(false);
  // 11 minutes later, the first call is still running (its deployment allows 30).
  const later = new Date(start.getTime() + 11 * 60_000);
  setSystemTime(later);
  const second = await limits.enforcer.admit({ snapshot, key: testKey(), tenantId: PROJECT, featureId: null, request, deployment, mayRunMs, now: later });
  // Refused, as at minute 0: the first still holds its worst case.
  expect(second.ok).toBe(false);
  // Past its deadline and the margin, a hold nobody settled (a crashed replica's) stops counting.
  const gone = new Date(start.getTime() + mayRunMs + RESERVATION_MARGIN_MS + 1_000);
  setSystemTime(gone);
  const third = await limits.enforcer.admit({ snapshot, key: testKey(), tenantId: PROJECT, featureId: null, request, deployment, mayRunMs, now: gone });
  expect(third.ok).toBe(true);
  if (third.ok) await third.ticket.settle({ ...ZERO_USAGE, inputTokens: 1000, outputTokens: 2500 }, worst);
  await limits.close();
});
