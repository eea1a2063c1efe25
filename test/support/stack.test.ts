/**
 * startStack leaves nothing behind: a start that fails stops what it had started, drops its database
 * and removes its data dir, throwing its own error, and stop() runs every step though one throws.
 * Each test counts only what it made: the databases, gw-stack- dirs, echo vendors, control planes and
 * proxies recorded as startStack makes them while the test runs, so other test files do not count.
 */
import { expect, spyOn, test } from "bun:test";
import * as fsPromises from "node:fs/promises";
import { existsSync } from "node:fs";
import { basename } from "node:path";
import * as controlPlaneMain from "../../control-plane/main.ts";
import * as echoVendor from "../../infra/echo-vendor/server.ts";
import * as regionProxy from "../../region-proxy/main.ts";
import * as testDatabases from "./postgres.ts";
import { startStack } from "./stack.ts";
import { acceptsConnections, useDatabaseProbe } from "./leak-probes.ts";

const probe = useDatabaseProbe();
const databaseExists = (name: string) => probe.exists(name);

interface Made {
  databases: string[];
  dirs: string[];
  echos: echoVendor.EchoVendor[];
  controlPlanes: controlPlaneMain.RunningControlPlane[];
  proxies: regionProxy.RunningProxy[];
}

/** What the test may change in startStack's parts: each wrapper gets the real thing and returns what startStack gets. */
interface Wrappers {
  database?(db: testDatabases.TestDatabase): testDatabases.TestDatabase;
  echo?(start: () => Promise<echoVendor.EchoVendor>): Promise<echoVendor.EchoVendor>;
  proxy?(config: regionProxy.ProxyConfig, start: () => Promise<regionProxy.RunningProxy>): Promise<regionProxy.RunningProxy>;
}

/** Records what startStack makes while `run` runs, through wrappers that may change or fail each part. */
async function recordingMade<T>(run: () => Promise<T>, wrap: Wrappers = {}): Promise<{ made: Made; result: PromiseSettledResult<T> }> {
  const made: Made = { databases: [], dirs: [], echos: [], controlPlanes: [], proxies: [] };
  const real = {
    createTestDatabase: testDatabases.createTestDatabase,
    mkdtemp: fsPromises.mkdtemp,
    startEchoVendor: echoVendor.startEchoVendor,
    startControlPlane: controlPlaneMain.startControlPlane,
    startProxy: regionProxy.startProxy,
  };
  const spies = [
    spyOn(testDatabases, "createTestDatabase").mockImplementation(async () => {
      const db = await real.createTestDatabase();
      made.databases.push(db.name);
      return wrap.database ? wrap.database(db) : db;
    }),
    spyOn(fsPromises, "mkdtemp").mockImplementation((async (prefix: string, options?: unknown) => {
      const dir = await real.mkdtemp(prefix, options as undefined);
      if (basename(dir).startsWith("gw-stack-")) made.dirs.push(dir);
      return dir;
    }) as typeof fsPromises.mkdtemp),
    spyOn(echoVendor, "startEchoVendor").mockImplementation(async (opts) => {
      const start = async () => {
        const echo = await real.startEchoVendor(opts);
        made.echos.push(echo);
        return echo;
      };
      return wrap.echo ? wrap.echo(start) : start();
    }),
    spyOn(controlPlaneMain, "startControlPlane").mockImplementation(async (config) => {
      const running = await real.startControlPlane(config);
      made.controlPlanes.push(running);
      return running;
    }),
    spyOn(regionProxy, "startProxy").mockImplementation(async (config, extras) => {
      const start = async () => {
        const proxy = await real.startProxy(config, extras);
        made.proxies.push(proxy);
        return proxy;
      };
      return wrap.proxy ? wrap.proxy(config, start) : start();
    }),
  ];
  try {
    const [result] = await Promise.allSettled([run()]);
    return { made, result: result! };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** Stops and removes what a test found left over, so a failing run leaves nothing behind either. */
async function removeLeftovers(made: Made): Promise<void> {
  await Promise.allSettled(made.proxies.map((proxy) => proxy.stop()));
  await Promise.allSettled(made.controlPlanes.map((cp) => cp.stop()));
  await Promise.allSettled(made.echos.map((echo) => echo.stop()));
  await probe.drop(made.databases);
  for (const dir of made.dirs) await fsPromises.rm(dir, { recursive: true, force: true });
}

/** Every part recorded is stopped or gone. */
async function expectNothingLeft(made: Made): Promise<void> {
  for (const proxy of made.proxies) expect(await acceptsConnections(proxy.url)).toBe(false);
  for (const cp of made.controlPlanes) expect(await acceptsConnections(cp.url)).toBe(false);
  for (const echo of made.echos) expect(await acceptsConnections(echo.url)).toBe(false);
  for (const name of made.databases) expect(await databaseExists(name)).toBe(false);
  for (const dir of made.dirs) expect(existsSync(dir)).toBe(false);
}

/** Starts an echo vendor whose stop stops it, then throws. */
async function echoFailingToStop(start: () => Promise<echoVendor.EchoVendor>): Promise<echoVendor.EchoVendor> {
  const echo = await start();
  return {
    ...echo,
    async stop() {
      await echo.stop();
      throw new Error("echo stop failed");
    },
  };
}

test("a start whose second proxy fails stops the first proxy, the control plane and the echo vendor, drops the database and removes the data dir, and throws its own error though the echo's stop throws", async () => {
  const { made, result } = await recordingMade(() => startStack({ regions: ["eu", "us"] }), {
    echo: echoFailingToStop,
    async proxy(config, start) {
      if (config.region === "us") throw new Error("proxy us failed");
      return start();
    },
  });
  try {
    expect(result.status).toBe("rejected");
    expect(String((result as PromiseRejectedResult).reason)).toContain("proxy us failed");
    expect([made.databases.length, made.dirs.length, made.echos.length, made.controlPlanes.length, made.proxies.length]).toEqual([1, 1, 1, 1, 1]);
    await expectNothingLeft(made);
  } finally {
    await removeLeftovers(made);
  }
}, 30_000);

test("a start whose echo vendor fails to start drops the database and removes the data dir it made", async () => {
  const { made, result } = await recordingMade(() => startStack({ regions: ["eu"] }), {
    async echo() {
      throw new Error("echo start failed");
    },
  });
  try {
    expect(result.status).toBe("rejected");
    expect(String((result as PromiseRejectedResult).reason)).toContain("echo start failed");
    expect([made.databases.length, made.dirs.length, made.echos.length, made.controlPlanes.length]).toEqual([1, 1, 0, 0]);
    await expectNothingLeft(made);
  } finally {
    await removeLeftovers(made);
  }
}, 30_000);

test("stop() runs every step though the echo vendor's stop and the database's drop throw, and throws the first failure", async () => {
  let dropped = 0;
  const { made, result } = await recordingMade(() => startStack({ regions: ["eu"] }), {
    echo: echoFailingToStop,
    database: (db) => ({
      ...db,
      async drop() {
        await db.drop();
        dropped++;
        throw new Error("drop failed");
      },
    }),
  });
  try {
    expect(result.status).toBe("fulfilled");
    const stack = (result as PromiseFulfilledResult<Awaited<ReturnType<typeof startStack>>>).value;
    expect(await acceptsConnections(stack.proxies.eu!.url)).toBe(true);
    expect(await acceptsConnections(stack.echo.url)).toBe(true);
    expect(await databaseExists(stack.db.name)).toBe(true);
    expect(existsSync(stack.dataDir)).toBe(true);

    await expect(stack.stop()).rejects.toThrow("echo stop failed");
    expect(dropped).toBe(1);
    expect([made.databases.length, made.dirs.length, made.echos.length, made.controlPlanes.length, made.proxies.length]).toEqual([1, 1, 1, 1, 1]);
    await expectNothingLeft(made);
  } finally {
    await removeLeftovers(made);
  }
}, 30_000);

test("stop() reports a proxy whose stop throws, after stopping everything else", async () => {
  const { made, result } = await recordingMade(() => startStack({ regions: ["eu"] }), {
    proxy: async (_config, start) => {
      const proxy = await start();
      return {
        ...proxy,
        async stop() {
          await proxy.stop();
          throw new Error("proxy stop failed");
        },
      };
    },
  });
  try {
    expect(result.status).toBe("fulfilled");
    const stack = (result as PromiseFulfilledResult<Awaited<ReturnType<typeof startStack>>>).value;
    await expect(stack.stop()).rejects.toThrow("proxy stop failed");
    await expectNothingLeft(made);
  } finally {
    await removeLeftovers(made);
  }
}, 30_000);
