/**
 * main.ts installed its SIGTERM/SIGINT handlers only once startControlPlane() had resolved, and a start
 * takes seconds (database connect, migrations, the republish check). The image runs Bun as PID 1
 * (infra/deploy/Dockerfile), which gets no default action for SIGTERM: a `docker stop` in that window
 * was dropped, and the control plane came up and served until the orchestrator's SIGKILL. Now the
 * handlers are installed first (shared/process/stop-on-signals.ts, as the proxy's): a signal during the
 * start stops the control plane as soon as the start completes (exit 0), a second one exits at once.
 *
 * The start is held on its database: a relay in front of the test database holds the database's first
 * answers until the signal was sent. Run as PID 1 where the system allows it (test/support/main-as-pid1.ts).
 */
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "../test/support/postgres.ts";
import { asPid1, spawnMain } from "../test/support/main-as-pid1.ts";
import { tempDirs } from "../test/support/temp-dirs.ts";
import { startPgRelay, type PgRelay } from "./testing/pg-relay.ts";

const dirs = tempDirs();
const made: { db: TestDatabase[]; relays: PgRelay[] } = { db: [], relays: [] };
afterAll(async () => {
  for (const relay of made.relays) await relay.close();
  for (const db of made.db) await db.drop();
  dirs.removeAll();
});

/** main.ts started on a fresh database whose answers are held `holdMs` once it connected: the start waits on them. */
async function startingControlPlane(holdMs: number) {
  const db = await createTestDatabase();
  made.db.push(db);
  const relay = await startPgRelay(db.url);
  made.relays.push(relay);
  relay.setDelay(holdMs);
  const main = spawnMain(new URL("./main.ts", import.meta.url).pathname, {
    NODE_ENV: "production",
    PORT: "0",
    DATABASE_URL: relay.url,
    DATA_DIR: join(dirs.make("cp-signal-during-start-"), "data"),
    ADMIN_TOKEN: "admtok_signal_during_start_0123456789",
  });
  // startControlPlane is running: it wrote to the database (its connection's startup), whose answer is held.
  for (let waited = 0; relay.sent() === 0; waited += 10) {
    if (waited > 10_000) throw new Error(`the control plane never reached its database:\n${main.output()}`);
    await Bun.sleep(10);
  }
  return { main, release: () => relay.setDelay(0) };
}

test(`a SIGTERM while the control plane is starting${asPid1 ? " (PID 1, as in the image)" : ""}: it stops once the start completes and exits 0`, async () => {
  const { main, release } = await startingControlPlane(1_500);
  try {
    expect(main.output()).not.toContain("listening on");
    await main.signal("SIGTERM");
    release();
    expect(await main.ended(15_000)).toEqual({ exitCode: 0, signalCode: null });
    const output = main.output();
    expect(output).toContain("SIGTERM while starting: stopping as soon as the start completes");
    expect(output).toContain("control plane stopped");
    // The start ran to its end (migrations and all) before the stop, never cut short.
    expect(output.indexOf("control plane stopped")).toBeGreaterThan(output.indexOf("control plane listening on"));
  } finally {
    await main.kill();
  }
}, 30_000);

test(`a second SIGINT while the control plane is still starting${asPid1 ? " (PID 1)" : ""}: it exits at once with 130`, async () => {
  const { main } = await startingControlPlane(5_000);
  try {
    await main.signal("SIGINT");
    await Bun.sleep(100);
    await main.signal("SIGINT");
    // Well before the database's held answer comes: the start is not waited for.
    expect(await main.ended(2_000)).toEqual({ exitCode: 130, signalCode: null });
    expect(main.output()).not.toContain("listening on");
  } finally {
    await main.kill();
  }
}, 30_000);
