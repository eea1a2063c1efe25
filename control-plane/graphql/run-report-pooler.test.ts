/**
 * Reports through a connection pooler. The report pool once set statement_timeout as a connection
 * startup parameter; PgBouncer refuses every startup parameter it does not track ("FATAL: unsupported
 * startup parameter: statement_timeout", pgbouncer/pgbouncer#907), so behind it every spend report
 * answered INTERNAL_SERVER_ERROR while ingest and polls still worked (and where a pooler drops the
 * parameter, no timeout applied). runReport now sets it with `set local` in the report's transaction.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { startFakePgBouncer, type FakePgBouncer } from "../testing/fake-pgbouncer.ts";
import { rawGraphQL, startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

const TIMEOUT_MS = 800;
let db: TestDatabase;
let pooler: FakePgBouncer;
let t: TestControlPlane;
let tenantId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  pooler = await startFakePgBouncer(db.url);
  t = await startTestControlPlane({ databaseUrl: pooler.url, reportStatementTimeoutMs: TIMEOUT_MS });
  const made = await rawGraphQL(t.cp.url, t.adminToken, JSON.stringify({ query: `mutation { createTenant(input: { name: "pgb" }) { id } }` }));
  tenantId = made.json.data.createTenant.id;
}, 30_000);
afterAll(async () => {
  await t?.close();
  await pooler?.close();
  await db?.drop();
});

const spendQuery = () => JSON.stringify({ query: `{ spend(tenantId: "${tenantId}", from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { requests } }` });

test("behind PgBouncer (default ignore_startup_parameters), spend answers and no connection was refused", async () => {
  const r = await rawGraphQL(t.cp.url, t.adminToken, spendQuery());
  expect(r.json).toEqual({ data: { spend: { requests: 0 } } });
  expect(pooler.seen.flat().filter((name) => name.toLowerCase() === "statement_timeout")).toEqual([]);
}, 30_000);

test("behind PgBouncer, a report past the statement timeout is still cancelled: REPORT_TIMEOUT", async () => {
  // spend reads `tenants`; a lock held on a direct connection keeps the report waiting.
  const direct = postgres(db.url, { max: 1, onnotice: () => {} });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const taken = new Promise<void>((resolve) => (locked = resolve));
  const holder = direct.begin(async (tx) => {
    await tx`lock table tenants in access exclusive mode`;
    locked();
    await released;
  });
  await taken;
  try {
    const r = await rawGraphQL(t.cp.url, t.adminToken, spendQuery());
    expect(r.json.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(["REPORT_TIMEOUT"]);
  } finally {
    release();
    await holder;
    await direct.end({ timeout: 1 });
  }
}, 30_000);
