/**
 * Spend reports run on a pool of their own (db/client.ts: Database.reports), each statement bounded by
 * the report statement timeout. Before, one pool of 10 served everything with no timeout: a tenant
 * admin's request of ten aliased spend fields over a month of usage held every connection, and usage
 * ingest and snapshot polls waited behind it for minutes.
 *
 * The reports are held here by a lock only they wait on: a test connection takes `tenants` in ACCESS
 * EXCLUSIVE mode, which spend reads (the tenant, its subtree, the org's time zone) and the proxies'
 * ingest and snapshot routes do not.
 */
import { expect, test } from "bun:test";
import { SNAPSHOT_PATH_PREFIX, USAGE_PATH } from "../../shared/internal-api.ts";
import { useUsageIngest } from "../usage/use-usage-ingest.ts";
import { rawGraphQL } from "../testing/test-control-plane.ts";

const TIMEOUT_MS = 800;
const ingest = useUsageIngest({ reportPoolMax: 2, reportStatementTimeoutMs: TIMEOUT_MS });

/** Holds `tenants` locked until `release` is called; resolves once the lock is taken. */
async function lockTenants(): Promise<{ release: () => Promise<void> }> {
  const sql = ingest.t.openSql();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const taken = new Promise<void>((resolve) => (locked = resolve));
  const tx = sql.begin(async (tx) => {
    await tx`lock table tenants in access exclusive mode`;
    locked();
    await released;
  });
  await taken;
  return {
    release: async () => {
      release();
      await tx;
    },
  };
}

const QUARTER_HOUR_MS = 15 * 60_000;
/** raise-usage-alerts.ts's PERIOD_END_WINDOW_MS: ingest reads nothing for events in the quarter hour still running this long from now. */
const ALERT_HORIZON_MS = 60_000;
/** Longer than the time from picking the event's time to ingest reading it, on a loaded machine. */
const PICK_TO_INGEST_MS = 5_000;
const horizonQuarter = (ms: number) => Math.floor((ms + ALERT_HORIZON_MS) / QUARTER_HOUR_MS);

/**
 * A booking time in the quarter hour ingest will call running when it reads the batch, so that it
 * reads nothing for alerts (raise-usage-alerts.ts): `tenants` is what this test holds locked, and a
 * batch that read it waited on the lock until the test timed out (a CI run at 23:00; another at 08:59,
 * when the time was picked 61 s ahead of a quarter hour and ingest, a fraction of a second later,
 * looked 60 s ahead and still saw the old one). Near a quarter hour's last minute, where ingest's view
 * could turn between the pick and the read, it first waits (at most PICK_TO_INGEST_MS) for it to turn;
 * in that last minute the time is the next quarter hour's first second (a proxy's clock a little
 * ahead, booked as sent).
 */
async function inRunningQuarter(): Promise<Date> {
  while (horizonQuarter(Date.now()) !== horizonQuarter(Date.now() + PICK_TO_INGEST_MS)) await Bun.sleep(100);
  return new Date(Math.max(Date.now(), horizonQuarter(Date.now()) * QUARTER_HOUR_MS + 1_000));
}

test("with every report connection busy, a usage batch and a snapshot poll are answered; each report past the timeout answers REPORT_TIMEOUT", async () => {
  const bookedAt = await inRunningQuarter();
  const lock = await lockTenants();
  // More fields than the proxies' pool has connections (10): before, they held all of them.
  const fields = Array.from({ length: 12 }, (_, i) => `s${i}: spend(tenantId: "${ingest.s.tenantId}", from: "2020-01-01T00:00:00Z", to: "2100-01-${String(i + 1).padStart(2, "0")}T00:00:00Z") { requests }`);
  let reportDone = false;
  const report = rawGraphQL(ingest.t.cp.url, ingest.t.adminToken, JSON.stringify({ query: `{ ${fields.join(" ")} }` })).finally(() => (reportDone = true));
  await Bun.sleep(200);
  const auth = { authorization: `Bearer ${ingest.s.euToken}` };
  const [usage, snapshot] = await Promise.all([
    fetch(new URL(USAGE_PATH, ingest.t.cp.url), {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ events: [ingest.event("evt_report_pool_1", { time: bookedAt.toISOString() })] }),
    }),
    fetch(new URL(`${SNAPSHOT_PATH_PREFIX}eu`, ingest.t.cp.url), { headers: auth }),
  ]);
  // Answered while the report still waits on its two connections (twelve fields on two connections).
  expect({ usage: usage.status, snapshot: snapshot.status, reportDone }).toEqual({ usage: 200, snapshot: 200, reportDone: false });
  expect(((await usage.json()) as { accepted: number }).accepted).toBe(1);
  const { status, json } = await report;
  await lock.release();
  expect(status).toBe(200);
  expect(json.data).toBeNull();
  // spend is non-null: the first field past the timeout nulls the answer, and its error is the one reported.
  expect(json.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(["REPORT_TIMEOUT"]);
  expect(json.errors[0].message).toContain(`${TIMEOUT_MS} ms, REPORT_STATEMENT_TIMEOUT_MS`);
  expect(JSON.stringify(json)).not.toContain("canceling statement");
  expect(ingest.t.logs.filter((l) => l.startsWith("graphql internal error"))).toEqual([]);
}, 30_000);

test("without a held lock the same report answers, on the report pool", async () => {
  const r = await rawGraphQL(ingest.t.cp.url, ingest.t.adminToken, JSON.stringify({ query: `{ spend(tenantId: "${ingest.s.tenantId}", from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { requests } }` }));
  expect(r.json).toEqual({ data: { spend: { requests: 1 } } });
});
