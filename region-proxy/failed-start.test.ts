/**
 * A start that fails part-way leaves nothing open: here the second proxy on one data dir fails at its
 * usage outbox (the dir's lock is held), after it had opened the dir's KV. The file handles it opened
 * on that KV are closed again (counted through /proc/self/fd, as the kernel sees them: Linux).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { startProxy } from "./main.ts";
import { createProxyFixture, waitFor, type ProxyFixture } from "./testing/proxy-fixture.ts";
import { UNIT_TEST_WAIT_MS } from "./testing/wait-for.ts";

let fx: ProxyFixture;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
});
afterAll(() => fx.cleanup());

/** Open file descriptors of this process on files under `dir`. */
function openUnder(dir: string): number {
  let count = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(join("/proc/self/fd", fd)).startsWith(dir)) count++;
    } catch {
      // closed while listing
    }
  }
  return count;
}

test("a proxy whose start fails at its outbox closes the KV it had opened", async () => {
  const dataDir = fx.freshDataDir();
  const first = await fx.startProxy({ dataDir });
  for (let i = 0; i < 3; i++) await expect(startProxy(fx.proxyConfig({ dataDir }))).rejects.toThrow(dataDir);
  // SQLite keeps a closed connection's file open while another connection of the process holds a lock
  // on that file (closing it would drop the process's POSIX locks), so the count is read once the
  // first proxy has stopped too: then every handle either start opened is gone.
  await first.stop();
  await waitFor(() => openUnder(dataDir) === 0, "every handle on the data dir closed", UNIT_TEST_WAIT_MS);
  // And the dir is usable again.
  const again = await fx.startProxy({ dataDir });
  await again.stop();
});
