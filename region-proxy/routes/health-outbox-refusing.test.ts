/**
 * A real proxy whose usage outbox refuses events says so on /health ("degraded", still 200): at its
 * cap, and when its commits fail because the disk is full (a data dir on a small tmpfs, filled up
 * while the proxy runs; skipped where this machine cannot mount one).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, rmSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createProxyFixture, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
});
afterAll(() => fx.cleanup());

interface Health {
  status: string;
  degraded: string[];
  usageOutbox: { storedEvents: number; droppedEvents: number };
}
const healthOf = async (url: string) => (await (await fetch(`${url}/health`)).json()) as Health;
const chat = async (url: string, i: number) => {
  const response = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${fx.keys.main}` }, body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: `hello ${i} ${crypto.randomUUID()}` }] }) });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
};

test("at its cap the outbox makes /health degraded: the cap, then the event it refused", async () => {
  const proxy = await fx.startProxy({ dataDir: fx.freshDataDir(), usageOutboxMaxEvents: 2, usageFlushMs: 60_000 });
  expect(await healthOf(proxy.url)).toMatchObject({ status: "ok", degraded: [] });
  for (let i = 0; i < 2; i++) await chat(proxy.url, i);
  await waitFor(async () => (await healthOf(proxy.url)).usageOutbox.storedEvents === 2, "two events stored");
  const full = await healthOf(proxy.url);
  expect(full.status).toBe("degraded");
  expect(full.degraded).toEqual([expect.stringContaining("holds its limit of 2 events")]);
  await chat(proxy.url, 2);
  await waitFor(async () => (await healthOf(proxy.url)).usageOutbox.droppedEvents === 1, "the third event refused");
  expect((await healthOf(proxy.url)).degraded).toEqual([expect.stringContaining("holds its limit"), expect.stringContaining("1 usage events dropped in the last minute")]);
  await proxy.stop();
});

/** A tmpfs of `size` at a fresh dir, or null where mounting is not allowed. */
function mountTmpfs(size: string): string | null {
  const dir = mkdtempSync(join(tmpdir(), "health-full-"));
  if (spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]).status === 0) return dir;
  rmSync(dir, { recursive: true, force: true });
  return null;
}
const canMount = (() => {
  const dir = mountTmpfs("64k");
  if (!dir) return false;
  spawnSync("umount", [dir]);
  rmSync(dir, { recursive: true, force: true });
  return true;
})();

test.skipIf(!canMount)("commits failing on a full disk make /health degraded, with the events dropped", async () => {
  const mount = mountTmpfs("4m")!;
  try {
    const dataDir = join(mount, "proxy");
    mkdirSync(dataDir);
    const proxy = await fx.startProxy({ dataDir, usageFlushMs: 60_000 });
    try {
      await chat(proxy.url, 0);
      await waitFor(async () => (await healthOf(proxy.url)).usageOutbox.storedEvents === 1, "first event stored");
      expect((await healthOf(proxy.url)).status).toBe("ok");
      // Fill the disk.
      const filler = openSync(join(mount, "filler"), "w");
      try {
        while (true) writeSync(filler, Buffer.alloc(64 * 1024));
      } catch {
        // ENOSPC: full.
      } finally {
        closeSync(filler);
      }
      for (let i = 1; i <= 3_000 && (await healthOf(proxy.url)).usageOutbox.droppedEvents === 0; i++) {
        await chat(proxy.url, i);
        if (i % 100 === 0) await Bun.sleep(150);
      }
      await waitFor(async () => (await healthOf(proxy.url)).usageOutbox.droppedEvents > 0, "an event dropped", 5_000);
      const health = await healthOf(proxy.url);
      expect(health.status).toBe("degraded");
      expect(health.degraded.some((reason) => /usageOutbox: \d+ usage events dropped in the last minute/.test(reason))).toBe(true);
      expect(fx.logs.some((line) => line.includes("could not be written"))).toBe(true);
    } finally {
      rmSync(join(mount, "filler"), { force: true });
      await proxy.stop();
    }
  } finally {
    spawnSync("umount", [mount]);
    rmSync(mount, { recursive: true, force: true });
  }
}, 60_000);
