// A level that crosses 80% (or 100%) in the last seconds of its period gets its alert (review rr R3):
// raiseUsageAlerts skipped events of a period still running when they were ingested ("its proxies' lease
// asks raise it"), but an ask after the crossing may come only after midnight and name only the new day,
// and nothing checked the closed day again though its ledger spend was 90% (or past 100%) of the cap.
// Periods that end within a minute of the ingestion are now checked at ingestion, as closed ones are.
import { expect, setSystemTime, test } from "bun:test";
import { periodKeys } from "../../region-proxy/counters/period.ts";
import { wirePeriod } from "../../shared/leases/zoned-period.ts";
import type { Seeded } from "../testing/seed.ts";
import { usageEventFor } from "../testing/usage-event.ts";
import { ingestUsage } from "../usage/ingest-usage.ts";
import { levelStatus } from "./budget-status.service.ts";
import { useLeaseRegions } from "./lease-test-regions.ts";
import { serveLease } from "./serve-lease.ts";

const r = useLeaseRegions();

test("spend that crosses 80% in a day's last seconds, ingested before midnight, still raises the day's alert", async () => {
  const org = await r.tenant("rr-midnight", 1_000_000);
  const key = await r.key(org, null);
  const scope = `ten:${org}`;
  const lastAsk = new Date("2025-01-10T23:59:50Z");
  const day = periodKeys(lastAsk, "UTC").day;
  try {
    // 23:59:50: the proxy's timer ask, at 50% spent (nothing to alert).
    setSystemTime(lastAsk);
    await ingestUsage(r.sql, "eu", [usageEventFor({ euDeploymentId: "dep_x" } as Seeded, "evt_rr_mid_1", { tenantId: org, keyId: key, region: "eu", time: "2025-01-10T12:00:00Z", costMicros: 500_000 })]);
    await serveLease(r.sql, "eu", { scope, ...wirePeriod(day), spentMicros: 500_000 }, undefined, lastAsk);
    // 23:59:53 a request costing 40% settles; its event reaches the ledger at 23:59:55, in the running day.
    setSystemTime(new Date("2025-01-10T23:59:55Z"));
    const ack = await ingestUsage(r.sql, "eu", [usageEventFor({ euDeploymentId: "dep_x" } as Seeded, "evt_rr_mid_2", { tenantId: org, keyId: key, region: "eu", time: "2025-01-10T23:59:53Z", costMicros: 400_000 })]);
    expect(ack.accepted).toBe(1);
    // 00:00:00: the proxy's next timer ask names its current day, 2025-01-11.
    const next = new Date("2025-01-11T00:00:00Z");
    setSystemTime(next);
    await serveLease(r.sql, "eu", { scope, ...wirePeriod(periodKeys(next, "UTC").day), spentMicros: 0 }, undefined, next);
  } finally {
    setSystemTime();
  }
  expect((await levelStatus(r.sql, scope, day, new Date("2025-01-11T00:00:00Z")))?.spentMicros).toBe("900000");
  const alerts = await r.sql<{ period: string; pct: number }[]>`select period, threshold_percent as pct from budget_alerts where scope = ${scope}`;
  expect(alerts.map((a) => `${a.period} ${a.pct}`)).toEqual(["day:2025-01-10 80"]);
}, 30_000);

test("a crossing ingested more than a minute before its day ends is left to the lease asks (no level work at ingestion)", async () => {
  const org = await r.tenant("rr-before-midnight", 1_000_000);
  const key = await r.key(org, null);
  try {
    setSystemTime(new Date("2025-01-12T23:58:30Z"));
    await ingestUsage(r.sql, "eu", [usageEventFor({ euDeploymentId: "dep_x" } as Seeded, "evt_rr_before_1", { tenantId: org, keyId: key, region: "eu", time: "2025-01-12T23:40:00Z", costMicros: 900_000 })]);
  } finally {
    setSystemTime();
  }
  expect(await r.sql`select 1 from budget_alerts where scope = ${`ten:${org}`}`).toHaveLength(0);
}, 30_000);
