/**
 * A damaged proxy.kv does not stop the proxy's start: the file is moved aside (kept, bytes unchanged,
 * with its -wal), what can be read of its usage outbox is salvaged into a fresh file, and one line
 * says where it went, why and how many events were salvaged. Files written through the real outbox,
 * then damaged as disks and copies do: cut in half, pages overwritten, the header zeroed, a crash
 * leaving the latest commits in the -wal only.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageOutbox } from "../outbox/outbox.ts";
import { openProxyKv } from "./open-kv.ts";

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "damaged-kv-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const GROUP = 500;
const eventJson = (id: string) => JSON.stringify({ eventId: id, requestId: `req_${id}`, tenantId: "ten_1", model: "chat", inputTokens: 12, outputTokens: 34, pad: crypto.randomUUID() });
const groupIds = (k: number) => Array.from({ length: GROUP }, (_, i) => `evt_${k}_${i}`);

/** A proxy.kv whose outbox holds `groups` commits of 500 events, written through UsageOutbox and closed. */
async function writeOutbox(dir: string, groups: number): Promise<void> {
  const kv = await openProxyKv(dir);
  const outbox = new UsageOutbox(kv, { maxDelayMs: 0 });
  for (let k = 0; k < groups; k++) await outbox.appendMany(groupIds(k), groupIds(k).map(eventJson));
  kv.close();
}

/**
 * As writeOutbox (ids evt_c<k>_<i>), in a process killed (SIGKILL) right after its last commit: those
 * commits are in proxy.kv-wal only, what was there before stays in proxy.kv.
 */
async function writeOutboxAndCrash(dir: string, groups: number): Promise<void> {
  const script = `
    import { openProxyKv } from ${JSON.stringify(new URL("./open-kv.ts", import.meta.url).pathname)};
    import { UsageOutbox } from ${JSON.stringify(new URL("../outbox/outbox.ts", import.meta.url).pathname)};
    const kv = await openProxyKv(${JSON.stringify(dir)});
    const outbox = new UsageOutbox(kv, { maxDelayMs: 0 });
    for (let k = 0; k < ${groups}; k++) await outbox.appendMany(Array.from({ length: ${GROUP} }, (_, i) => "evt_c" + k + "_" + i), Array.from({ length: ${GROUP} }, (_, i) => JSON.stringify({ eventId: "evt_c" + k + "_" + i, requestId: "req_evt_c" + k + "_" + i })));
    process.kill(process.pid, "SIGKILL");`;
  const child = Bun.spawn([process.execPath, "-e", script], { stderr: "inherit" });
  await child.exited;
  expect(statSync(join(dir, "proxy.kv-wal")).size).toBeGreaterThan(0);
}

type Damage = "truncated" | "torn pages" | "header zeroed";
function damage(file: string, how: Damage): void {
  if (how === "truncated") return truncateSync(file, Math.floor(statSync(file).size / 2));
  const bytes = readFileSync(file);
  if (how === "torn pages") for (let i = 8192; i < bytes.length; i += 4096) bytes.fill(0x41, i, i + 200);
  else bytes.fill(0, 0, 100);
  writeFileSync(file, bytes);
}

/** Opens the dir as the proxy does; what the outbox then holds, the log, and the files set aside. */
async function reopen(dir: string) {
  const logs: string[] = [];
  const kv = await openProxyKv(dir, { log: (line) => logs.push(line) });
  const outbox = await UsageOutbox.open(kv, { log: (line) => logs.push(line) });
  const events = await outbox.peek(1_000_000);
  // Still usable: a new event is stored next to the salvaged ones.
  await outbox.append({ eventId: "evt_new", requestId: "req_new" } as never);
  const stored = outbox.storedEvents();
  kv.close();
  const aside = readdirSync(dir).filter((name) => name.startsWith("proxy.kv.damaged-"));
  return { logs, events, stored, aside };
}

const salvagedIn = (line: string) => Number(/(\d+) usage events salvaged/.exec(line)?.[1] ?? 0);

for (const [how, expected] of [
  ["truncated", "some"],
  ["torn pages", "none"],
  ["header zeroed", "all"],
] as const) {
  test(`${how}: the start goes on, the file is kept aside unchanged, the log says so and how many events were salvaged (${expected})`, async () => {
    const dir = freshDir();
    await writeOutbox(dir, 20);
    const file = join(dir, "proxy.kv");
    damage(file, how);
    const damaged = readFileSync(file);

    const { logs, events, stored, aside } = await reopen(dir);

    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!)).equals(damaged)).toBe(true);
    const line = logs.find((l) => l.includes("damaged"))!;
    expect(line).toContain(`moved aside to ${join(dir, aside[0]!)}`);
    expect(line).toContain("not shipped");
    const salvaged = salvagedIn(line);
    expect(events).toHaveLength(salvaged);
    expect(stored).toBe(salvaged + 1);
    if (expected === "all") expect(salvaged).toBe(20 * GROUP);
    if (expected === "some") expect(salvaged).toBeGreaterThan(0);
    if (expected === "some") expect(salvaged).toBeLessThan(20 * GROUP);
    if (expected === "none") expect(line).toContain("no usage event could be salvaged");
    // Salvaged events are the ones written, byte for byte.
    for (const event of events) expect(event.json).toBe(JSON.stringify(JSON.parse(event.json)));
    for (const event of events.slice(0, 50)) expect(JSON.parse(event.json).requestId).toBe(`req_${event.eventId}`);
    // The next start finds a sound file: nothing more is set aside.
    const again = await reopen(dir);
    expect(again.aside).toEqual(aside);
    expect(again.logs.filter((l) => l.includes("damaged"))).toEqual([]);
    expect(again.stored).toBe(salvaged + 2);
  }, 30_000);
}

test("a crash left the latest commits in the -wal and the main file was cut in half: every event of the -wal is salvaged, and the -wal is kept aside with the file", async () => {
  const dir = freshDir();
  await writeOutbox(dir, 20);
  await writeOutboxAndCrash(dir, 6);
  const file = join(dir, "proxy.kv");
  damage(file, "truncated");
  const wal = readFileSync(`${file}-wal`);

  const { logs, events, aside } = await reopen(dir);

  const ids = new Set(events.map((event) => event.eventId));
  for (let k = 0; k < 6; k++) for (let i = 0; i < GROUP; i++) expect(ids.has(`evt_c${k}_${i}`)).toBe(true);
  expect(events.length).toBeGreaterThan(6 * GROUP);
  expect(aside.sort()).toEqual([expect.stringMatching(/^proxy\.kv\.damaged-\d{4}-\d\d-\d\dT[\d:.]+Z$/), expect.stringMatching(/Z-shm$/), expect.stringMatching(/Z-wal$/)]);
  expect(readFileSync(join(dir, `${aside[0]}-wal`)).equals(wal)).toBe(true);
  expect(salvagedIn(logs.find((l) => l.includes("damaged"))!)).toBe(events.length);
});

test("a sound file, and one a crash left with a -wal, are opened as they are: nothing set aside, nothing logged, every event there", async () => {
  for (const write of [writeOutbox, writeOutboxAndCrash]) {
    const dir = freshDir();
    await write(dir, 4);
    const { logs, events, aside } = await reopen(dir);
    expect(aside).toEqual([]);
    expect(logs).toEqual([]);
    expect(events).toHaveLength(4 * GROUP);
  }
});

test("a damaged file in a data dir another live process holds is not moved: the start fails naming the file and the holder", async () => {
  const dir = freshDir();
  await writeOutbox(dir, 2);
  const file = join(dir, "proxy.kv");
  damage(file, "truncated");
  const damaged = readFileSync(file);
  const script = `import { lockOutboxDir } from ${JSON.stringify(new URL("./data-dir-lock.ts", import.meta.url).pathname)}; globalThis.held = lockOutboxDir(${JSON.stringify(dir)}); console.log("locked"); setInterval(() => {}, 1000);`;
  const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "inherit" });
  try {
    const reader = child.stdout.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("locked");
    let error: Error | null = null;
    await openProxyKv(dir, { log: () => {} }).then(
      (kv) => kv.close(),
      (e: Error) => (error = e),
    );
    expect(error).not.toBeNull();
    expect(error!.message).toContain(file);
    expect(error!.message).toContain("damaged");
    expect(error!.message).toContain(`pid ${child.pid}`);
    expect(readFileSync(file).equals(damaged)).toBe(true);
    expect(readdirSync(dir).filter((name) => name.includes("damaged") || name.includes("salvaging"))).toEqual([]);
  } finally {
    child.kill(9);
    await child.exited;
  }
});

test("a repair cut short after the file was moved aside is finished at the next start: the salvage copy becomes proxy.kv", async () => {
  const dir = freshDir();
  const other = freshDir();
  await writeOutbox(other, 2);
  renameSync(join(other, "proxy.kv"), join(dir, "proxy.kv.salvaging"));
  const { events, aside } = await reopen(dir);
  expect(events).toHaveLength(2 * GROUP);
  expect(aside).toEqual([]);
  expect(existsSync(join(dir, "proxy.kv.salvaging"))).toBe(false);
});
