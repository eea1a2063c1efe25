/**
 * The control-plane test helpers leave nothing behind: a start that fails drops the database and
 * removes the data dir it made, close() runs every step though one fails, and useTestControlPlane's
 * hooks run as its doc comment says. Each test looks only at what it made itself (the database and
 * directory recorded as the helper makes them), so other test files running meanwhile do not count.
 */
import * as bunTest from "bun:test";
import { afterAll, describe, expect, spyOn, test } from "bun:test";
import * as fsPromises from "node:fs/promises";
import { existsSync } from "node:fs";
import { startTestControlPlane, useTestControlPlane, type TestControlPlane } from "./test-control-plane.ts";
import { acceptsConnections, recordingMade, useDatabaseProbe } from "../../test/support/leak-probes.ts";

const probe = useDatabaseProbe();
const databaseExists = (name: string) => probe.exists(name);

/** Removes what a test found left over, so a failing run leaves nothing behind either. */
async function removeLeftovers(databases: string[], dirs: string[]): Promise<void> {
  await probe.drop(databases);
  for (const dir of dirs) await fsPromises.rm(dir, { recursive: true, force: true });
}

/** What startTestControlPlane makes while `run` runs: its databases and cp-test- data dirs. */
const recordCpTest = <T>(run: () => Promise<T>) => recordingMade(run, "cp-test-");

test("a start that fails (its port is taken) drops the database and removes the data dir it made", async () => {
  // A plain listening socket (no SO_REUSEPORT), so the control plane cannot bind its port.
  const holder = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  let made: Awaited<ReturnType<typeof recordingMade>> | undefined;
  try {
    made = await recordCpTest(() => startTestControlPlane({ port: holder.port }));
    expect(made.result.status).toBe("rejected");
    expect(String((made.result as PromiseRejectedResult).reason)).toContain(`cannot listen on 127.0.0.1:${holder.port}`);
    expect(made.databases).toHaveLength(1);
    expect(made.dirs).toHaveLength(1);
    expect(await databaseExists(made.databases[0]!)).toBe(false);
    expect(existsSync(made.dirs[0]!)).toBe(false);
  } finally {
    holder.stop(true);
    if (made) await removeLeftovers(made.databases, made.dirs);
  }
}, 30_000);

test("close() runs every step though a pool's end and the control plane's stop fail, and throws the first failure", async () => {
  const t = await startTestControlPlane();
  const failing = t.openSql();
  const other = t.openSql();
  expect([...(await other`select 1 as one`)]).toEqual([{ one: 1 }]);
  const end = failing.end.bind(failing);
  Object.assign(failing, {
    async end() {
      await end();
      throw new Error("pool end failed");
    },
  });
  const stop = t.cp.stop;
  t.cp.stop = async () => {
    await stop();
    throw new Error("control plane stop failed");
  };

  try {
    await expect(t.close()).rejects.toThrow("pool end failed");
    await expect(other`select 1`).rejects.toMatchObject({ code: "CONNECTION_ENDED" });
    expect(await acceptsConnections(t.cp.url)).toBe(false);
    expect(await databaseExists(t.db.name)).toBe(false);
    expect(existsSync(t.dataDir)).toBe(false);
  } finally {
    await other.end();
    await stop().catch(() => {});
    await removeLeftovers([t.db.name], [t.dataDir]);
  }
}, 30_000);

test("useTestControlPlane gives its beforeAll its own 30 s timeout, not Bun's 5 s default", () => {
  const before = spyOn(bunTest, "beforeAll").mockImplementation(() => {});
  const after = spyOn(bunTest, "afterAll").mockImplementation(() => {});
  try {
    useTestControlPlane();
    expect(before.mock.calls).toHaveLength(1);
    expect(before.mock.calls[0]![1]).toBe(30_000);
  } finally {
    before.mockRestore();
    after.mockRestore();
  }
});

// What the doc comment says of afterAll order: hooks run in registration order, so one registered
// before useTestControlPlane still finds the database, one registered after finds it dropped.
const seen: { before?: boolean; after?: boolean } = {};
describe("a file's own afterAll hooks around useTestControlPlane", () => {
  let t: TestControlPlane | undefined;
  afterAll(async () => {
    seen.before = await databaseExists(t!.db.name);
  });
  t = useTestControlPlane();
  afterAll(async () => {
    seen.after = await databaseExists(t!.db.name);
  });
  test("the control plane runs", async () => {
    expect(await acceptsConnections(t!.cp.url)).toBe(true);
  });
});

test("an afterAll registered before useTestControlPlane runs while its database exists, one registered after once it is dropped", () => {
  expect(seen).toEqual({ before: true, after: false });
});
