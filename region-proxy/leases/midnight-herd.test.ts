/**
 * At a zone's local midnight every budgeted level of the zone needs a lease for the new period at once,
 * each before its first request is admitted. With the control plane's database a few ms away (a managed
 * PostgreSQL in another zone, behind a pooler), every level the control plane serves costs it a few ms
 * per database round trip: the lease client's requests must each stay well under its timeout, and one
 * request timing out must not keep the cycle's other levels from being asked.
 *
 * Here the database is ~4 ms away (a relay holding its answers) and 150 levels (75 keys, each a daily and
 * a monthly cap) are asked with the client's defaults. Sent as one request, those took the control plane
 * ~6 s, past the client's 3 s timeout: no level was leased, and the next cycle sent the same request.
 *
 * The control plane's share is counted too: the database's answers per level served (the relay's sent()),
 * ~6 since 57e04ca pipelined the reads under the level lock and read complete_since once per request
 * (serve-lease.ts, lease.route.ts), where it was ~9: a level's round trips are what its time is made of.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startPgRelay, type PgRelay } from "../../control-plane/testing/pg-relay.ts";
import { startTestControlPlane, type TestControlPlane } from "../../control-plane/testing/test-control-plane.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { runAll } from "../../test/support/run-all.ts";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { startLeaseClient, type LeaseClient } from "./lease-client.ts";

const KEYS = 75;
/** Held on each of the database's answers: ~4.4 ms per round trip with the timer's granularity. */
const DATABASE_DELAY_MS = 4;
/** The database's answers (writes through the relay) per level served: measured 6.17-6.22, 9.18 with serve-lease.ts and lease.route.ts as before 57e04ca. */
const MAX_DATABASE_WRITES_PER_LEVEL = 6.5;

let db: TestDatabase;
let relay: PgRelay;
let t: TestControlPlane;
let token: string;
const clients: LeaseClient[] = [];
const today = new Date().toISOString();
// As the proxy names them: the label in the zone it counts it in.
const day = `day:${today.slice(0, 10)}@UTC`;
const month = `month:${today.slice(0, 7)}@UTC`;
const levels: { scope: string; period: string }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  relay = await startPgRelay(db.url);
  t = await startTestControlPlane({ databaseUrl: relay.url });
  token = (await t.admin.request<{ createRegion: { token: string } }>(`mutation { createRegion(input: { name: "eu" }) { token } }`)).createRegion.token;
  const tenant = (await t.admin.request<{ createTenant: { id: string } }>(`mutation { createTenant(input: { name: "acme" }) { id } }`)).createTenant.id;
  for (let i = 0; i < KEYS; i++) {
    const input = { tenantId: tenant, name: `k${i}`, dailyBudgetUsd: 1, monthlyBudgetUsd: 10 };
    const { createKey } = await t.admin.request<{ createKey: { key: { id: string } } }>(`mutation($i: CreateKeyInput!) { createKey(input: $i) { key { id } } }`, { i: input });
    levels.push({ scope: `key:${createKey.key.id}`, period: day }, { scope: `key:${createKey.key.id}`, period: month });
  }
}, 60_000);

afterAll(async () => {
  await runAll([...clients.map((c) => () => c.stop()), () => t?.close(), () => relay?.close(), () => db?.drop()]);
});

test("a new period's levels, database ~4 ms away: every one leased in one cycle with the client's defaults", async () => {
  relay.setDelay(DATABASE_DELAY_MS);
  const logs: string[] = [];
  const leases = startLeaseClient({ controlPlaneUrl: t.cp.url, regionToken: token, proxyId: "prx_herd", ledger: createMemoryBudgetLedger(), refreshMs: 600_000, log: (l) => logs.push(l) });
  clients.push(leases);
  const started = performance.now();
  const sentBefore = relay.sent();
  await Promise.all(levels.map((l) => leases.ask(l.scope, l.period)));
  const took = performance.now() - started;
  const writesPerLevel = (relay.sent() - sentBefore) / levels.length;
  relay.setDelay(0);
  const leased = levels.filter((l) => leases.view(l.scope, l.period)?.managed).length;
  console.log(`${levels.length} levels, database ~${DATABASE_DELAY_MS} ms away: asked in ${took.toFixed(0)} ms, ${leased} leased, ${writesPerLevel.toFixed(2)} database writes a level`);
  expect({ leased, logs }).toEqual({ leased: levels.length, logs: [] });
  expect(writesPerLevel).toBeLessThanOrEqual(MAX_DATABASE_WRITES_PER_LEVEL);
}, 30_000);
