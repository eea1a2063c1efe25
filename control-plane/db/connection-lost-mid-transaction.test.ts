/**
 * A PostgreSQL connection lost while a transaction waits on it (an operator's pg_terminate_backend, a
 * failover, a pooler or proxy closing the connection) fails that one request; the control
 * plane process keeps serving and its pool connects again. postgres.js 3.4.9 threw an uncatchable
 * TypeError (null socket.write in nextWrite, from a setImmediate) when the transaction's rollback was
 * written to the closed connection, and the process exited 1: infra/patches/postgres-closed-connection.mjs,
 * run by npm's postinstall, patches the driver.
 *
 * Each test holds the seeded key's row lock from a session of its own, so a usage batch (which locks
 * that row in its transaction) waits on it, then drops the batch's connection while it waits.
 */
import { afterAll, expect, test } from "bun:test";
import postgres from "postgres";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminClient, type AdminClient } from "../../infra/local/admin-client.ts";
import { USAGE_PATH } from "../../shared/internal-api.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { runAll } from "../../test/support/run-all.ts";
import { startControlPlaneProcess, type ControlPlaneProcess } from "../testing/control-plane-process.ts";
import { startPgRelay } from "../testing/pg-relay.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { usageEventFor } from "../testing/usage-event.ts";

const cleanups: (() => unknown)[] = [];
afterAll(() => runAll(cleanups.reverse()), 30_000);

const ADMIN_TOKEN = `admtok_lost_conn_${"0123456789abcdef".repeat(2)}`;

interface Running {
  db: TestDatabase;
  cp: ControlPlaneProcess;
  admin: AdminClient;
  s: Seeded;
  /** A pool straight to the database, outside the control plane. */
  sql: postgres.Sql;
}

/** A fresh database and a control plane process on it (directly or through `via`), seeded. */
async function start(via?: (dbUrl: string) => Promise<string>): Promise<Running> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  const dataDir = await mkdtemp(join(tmpdir(), "cp-lost-conn-"));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const cp = await startControlPlaneProcess({ databaseUrl: via ? await via(db.url) : db.url, dataDir, adminToken: ADMIN_TOKEN });
  cleanups.push(() => cp.kill());
  const admin = adminClient(cp.url, ADMIN_TOKEN);
  const s = await seedConfig(admin);
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  cleanups.push(() => sql.end({ timeout: 1 }));
  return { db, cp, admin, s, sql };
}

const postUsage = (r: Running, ...ids: string[]) =>
  fetch(new URL(USAGE_PATH, r.cp.url), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${r.s.euToken}` },
    body: JSON.stringify({ events: ids.map((id) => usageEventFor(r.s, id)) }),
  }).then((res) => res.status, (error: Error) => `no answer: ${error.message}`);

/**
 * Holds the seeded key's row lock, posts a usage batch of `eventId`, waits until the batch's backend
 * waits on the lock, runs `drop(pid)`, and answers the batch's status once the lock is let go.
 */
async function batchDroppedWhileWaiting(r: Running, eventId: string, drop: (pid: number) => Promise<unknown>): Promise<number | string> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holding = r.sql.begin(async (tx) => {
    await tx`select id from gateway_keys where id = ${r.s.keyId} for update`;
    locked();
    await gate;
  });
  try {
    await isLocked;
    const answer = postUsage(r, eventId);
    let waiting: { pid: number } | undefined;
    for (let i = 0; i < 200 && !waiting; i++) {
      [waiting] = await r.sql<{ pid: number }[]>`
        select pid from pg_stat_activity where datname = ${r.db.name} and wait_event_type = 'Lock' and query like '%gateway_keys%'`;
      if (!waiting) await Bun.sleep(25);
    }
    if (!waiting) throw new Error("the usage batch never waited on the held row lock");
    await drop(waiting.pid);
    return await answer;
  } finally {
    release();
    await holding;
  }
}

/** Usage events stored whose id is like `pattern`. */
async function storedEvents(r: Running, pattern: string): Promise<number> {
  const [row] = await r.sql<{ n: number }[]>`select count(*)::int as n from usage_events where event_id like ${pattern}`;
  return row!.n;
}

/** The process still serves: usage batches on every pooled connection (more than the pool's 10 at once) and GraphQL reads and writes. */
async function expectServingWithAPoolThatConnectsAgain(r: Running, prefix: string): Promise<void> {
  expect(await postUsage(r, `${prefix}_next`)).toBe(200);
  const ids = Array.from({ length: 24 }, (_, i) => `${prefix}_many_${i}`);
  expect(await Promise.all(ids.map((id) => postUsage(r, id)))).toEqual(ids.map(() => 200));
  expect(await r.admin.request<{ configVersion: number }>(`{ configVersion }`)).toEqual({ configVersion: expect.any(Number) });
  const { createTenant } = await r.admin.request<{ createTenant: { id: string } }>(`mutation { createTenant(input: { name: "after-${prefix}" }) { id } }`);
  expect(createTenant.id).toBeString();
  expect(await storedEvents(r, `${prefix}%`)).toBe(ids.length + 1);
  expect(r.cp.alive()).toBe(true);
}

test("a backend terminated while its usage batch waits on a row lock: that batch answers 503, the process keeps serving", async () => {
  const r = await start();
  const status = await batchDroppedWhileWaiting(r, "evt_killed", (pid) => r.sql`select pg_terminate_backend(${pid})`);
  expect(status).toBe(503);
  await expectServingWithAPoolThatConnectsAgain(r, "evt_after_kill");
  expect(await storedEvents(r, "evt_killed")).toBe(0);
  expect(await r.cp.kill()).not.toContain("TypeError");
}, 60_000);

test("every connection dropped (a pooler, a proxy, a failover) while a usage batch waits on a row lock: that batch fails, the process keeps serving", async () => {
  let relay!: Awaited<ReturnType<typeof startPgRelay>>;
  const r = await start(async (dbUrl) => {
    relay = await startPgRelay(dbUrl);
    cleanups.push(() => relay.close());
    return relay.url;
  });
  const status = await batchDroppedWhileWaiting(r, "evt_dropped", async () => relay.dropOpen());
  expect(status).toBe(503);
  await expectServingWithAPoolThatConnectsAgain(r, "evt_after_drop");
  expect(await r.cp.kill()).not.toContain("TypeError");
}, 60_000);
