/**
 * One outbox per data dir: a second proxy (or a restarted one whose old process still runs) on the same
 * DATA_DIR fails its start with a message naming the dir, instead of both draining one proxy.kv with
 * drifting counts; a lock left by a process that died is taken over.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startOutboxThread } from "../outbox/outbox-thread.ts";
import { lockOutboxDir } from "./data-dir-lock.ts";

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "outbox-lock-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A separate process holding the dir's lock until killed. */
async function holdInChild(dir: string) {
  const script = `import { lockOutboxDir } from ${JSON.stringify(new URL("./data-dir-lock.ts", import.meta.url).pathname)}; globalThis.held = lockOutboxDir(${JSON.stringify(dir)}); console.log("locked"); setInterval(() => {}, 1000);`;
  const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value)).toContain("locked");
  reader.releaseLock();
  return child;
}

const init = (dataDir: string, proxyId: string) => ({ dataDir, controlPlaneUrl: "http://127.0.0.1:9", regionToken: "t", proxyId, flushIntervalMs: 60_000 });

test("a second outbox thread on the same data dir fails its start, naming the dir; once the first stops, a new one starts", async () => {
  const dataDir = freshDir();
  const a = await startOutboxThread(init(dataDir, "prx_a"), () => {});
  let error: Error | null = null;
  await startOutboxThread(init(dataDir, "prx_b"), () => {}).then(
    (b) => b.stop(),
    (e: Error) => (error = e),
  );
  expect(error).not.toBeNull();
  expect(error!.message).toContain(dataDir);
  expect(error!.message).toContain(`pid ${process.pid}`);
  await a.stop();
  const c = await startOutboxThread(init(dataDir, "prx_c"), () => {});
  await c.stop();
});

test("another live process holding the lock: refused with the dir and that process's pid", async () => {
  const dir = freshDir();
  const child = await holdInChild(dir);
  try {
    expect(() => lockOutboxDir(dir)).toThrow(dir);
    expect(() => lockOutboxDir(dir)).toThrow(`pid ${child.pid}`);
  } finally {
    child.kill(9);
    await child.exited;
  }
});

test("a lock left by a process that died (kill -9) is taken over, and says whose it was", async () => {
  const dir = freshDir();
  const child = await holdInChild(dir);
  child.kill(9);
  await child.exited;
  const lock = lockOutboxDir(dir);
  expect(lock.previousOwner).toContain(`pid ${child.pid}`);
  lock.release();
  // Released cleanly: the next one finds no previous owner.
  const next = lockOutboxDir(dir);
  expect(next.previousOwner).toBeNull();
  next.release();
});

test("the outbox thread logs that it took over a dead process's lock", async () => {
  const dataDir = freshDir();
  const child = await holdInChild(dataDir);
  child.kill(9);
  await child.exited;
  const logs: string[] = [];
  const thread = await startOutboxThread(init(dataDir, "prx_a"), (l) => logs.push(l));
  await thread.stop();
  expect(logs.some((l) => l.includes(dataDir) && l.includes(`pid ${child.pid}`))).toBe(true);
});
