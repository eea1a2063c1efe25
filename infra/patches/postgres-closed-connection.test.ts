/**
 * postgres-closed-connection.mjs (npm's postinstall): the installed postgres.js carries its edits, the
 * script is idempotent and refuses driver code it does not know; and the patched driver, on a
 * connection closed under it (pg_terminate_backend), rejects instead of crashing the process from a
 * setImmediate, settles every query, and its pool gets the connection back.
 */
import { expect, test } from "bun:test";
import postgres from "postgres";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { useTestDatabase } from "../../test/support/use-test-database.ts";
import { EDITS, MARK } from "./postgres-closed-connection.mjs";

const SCRIPT = join(import.meta.dir, "postgres-closed-connection.mjs");
/** The connection.js Bun loads (the package's "bun" export, src/index.js) and the cjs copy `require` loads. */
const LOADED = join(dirname(Bun.resolveSync("postgres", import.meta.dir)), "connection.js");
const CJS = join(LOADED, "..", "..", "cjs", "src", "connection.js");

const runScript = (packageDir: string) => {
  const run = Bun.spawnSync(["node", SCRIPT, packageDir], { stdout: "pipe", stderr: "pipe" });
  return { exitCode: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
};

test("the connection.js Bun loads and the cjs copy carry every edit, once", async () => {
  for (const file of [LOADED, CJS]) {
    const text = await readFile(file, "utf8");
    for (const edit of EDITS) expect(text.split(edit.to).length - 1, `${file}: ${edit.name}`).toBe(1);
    expect(text).toContain("    if (socket === null) { " + MARK + "\n");
  }
});

test("the script patches the 3.4.9 code, a second run changes nothing, and unknown driver code fails the install", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pg-patch-"));
  try {
    const patched = await readFile(LOADED, "utf8");
    const original = EDITS.reduce((text, edit) => text.replace(edit.to, edit.from), patched);
    expect(original).not.toContain(MARK);
    for (const copy of ["src", "cjs/src"]) {
      await mkdir(join(dir, copy), { recursive: true });
      await writeFile(join(dir, copy, "connection.js"), original);
    }
    const first = runScript(dir);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain("src/connection.js: patched (");
    expect(await readFile(join(dir, "src", "connection.js"), "utf8")).toBe(patched);
    expect(await readFile(join(dir, "cjs", "src", "connection.js"), "utf8")).toBe(patched);

    const second = runScript(dir);
    expect(second.exitCode).toBe(0);
    expect(second.stdout.match(/already patched/g)).toHaveLength(2);
    expect(await readFile(join(dir, "src", "connection.js"), "utf8")).toBe(patched);

    // A driver whose nextWrite changed: nothing is written, the install fails saying why.
    const changed = original.replace("const x = socket.write(chunk, fn)", "const x = socket && socket.write(chunk, fn)");
    await writeFile(join(dir, "src", "connection.js"), original);
    await writeFile(join(dir, "cjs", "src", "connection.js"), changed);
    const refused = runScript(dir);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("nextWrite settles instead of writing to no socket");
    expect(refused.stderr).toContain("the driver changed");
    expect(await readFile(join(dir, "src", "connection.js"), "utf8")).toBe(original);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** The file's database; its own one-connection pool terminates the backends under test. */
const database = useTestDatabase({ max: 1 });

const pool = (max: number) => postgres(database.url, { max, onnotice: () => {} });
const terminate = (pid: number) => database.sql`select pg_terminate_backend(${pid})`;
/** How a query in flight when its connection closes fails: the close, a reset, or the backend's own FATAL 57P01. */
const DROPPED = ["CONNECTION_CLOSED", "ECONNRESET", "57P01"];
const failure = (query: Promise<unknown>) => query.then(() => "succeeded", (error: Error & { code?: string }) => error.code ?? error.message);
const backendOf = async (sql: postgres.Sql | postgres.TransactionSql) => (await sql<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid;
/** The backends two queries sent at once run on: two, when both of a 2-connection pool's connections serve. */
const backendsAtOnce = async (sql: postgres.Sql) =>
  new Set(await Promise.all([backendOf(sql), backendOf(sql)])).size;

test("a transaction whose backend is terminated rejects, so do the queries its callback sends afterwards, and the pool keeps both connections", async () => {
  const sql = pool(2);
  try {
    // begin() itself rejects as soon as the connection closes; the callback goes on, as one that catches would.
    let settled!: (all: Promise<string[]>) => void;
    const afterwards = new Promise<string[]>((resolve) => (settled = resolve));
    const outcome = failure(
      sql.begin(async (tx) => {
        const pid = await backendOf(tx);
        const slow = failure(tx`select pg_sleep(30)`);
        settled(
          Promise.all([
            slow,
            // Sent after the close: a parameterized query, and one over the driver's 1 KB write batch.
            slow.then(() => failure(tx`select ${"x"}::text`)),
            slow.then(() => failure(tx.unsafe(`select '${"x".repeat(2000)}'`))),
          ]),
        );
        await terminate(pid);
        await afterwards;
      }),
    );
    expect(DROPPED).toContain(await outcome);
    const [slow, ...sentAfter] = await afterwards;
    expect(DROPPED).toContain(slow!);
    expect(sentAfter).toEqual(["CONNECTION_CLOSED", "CONNECTION_CLOSED"]);
    expect([...(await sql<{ one: number }[]>`select 1 as one`)]).toEqual([{ one: 1 }]);
    expect(await backendsAtOnce(sql)).toBe(2);
  } finally {
    await sql.end({ timeout: 1 });
  }
}, 20_000);

test("a pooled query whose backend is terminated rejects, and once the connection closed its next query succeeds (not handed the old error)", async () => {
  let closed!: () => void;
  const isClosed = new Promise<void>((resolve) => (closed = resolve));
  const sql = postgres(database.url, { max: 1, onnotice: () => {}, onclose: () => closed() });
  try {
    const pid = await backendOf(sql);
    const slow = failure(sql`select pg_sleep(30)`);
    await terminate(pid);
    expect(DROPPED).toContain(await slow);
    // (After a reset, a query sent before the close itself fails with CONNECTION_CLOSED: it went to the dead socket.)
    await isClosed;
    expect([...(await sql<{ one: number }[]>`select 1 as one`)]).toEqual([{ one: 1 }]);
  } finally {
    await sql.end({ timeout: 1 });
  }
}, 20_000);

test("a reserved connection whose backend is terminated rejects every query (porsager/postgres#1208), and once released the pool connects it again", async () => {
  const sql = pool(2);
  try {
    const reserved = await sql.reserve();
    const pid = await backendOf(reserved);
    await terminate(pid);
    expect(DROPPED).toContain(await failure(reserved`select 1`));
    expect(await failure(reserved`select 1`)).toBe("CONNECTION_CLOSED");
    expect(await failure(reserved`select ${1}::int`)).toBe("CONNECTION_CLOSED");
    reserved.release();
    // The released connection went back as open: the one query it takes is refused, and hands it back to the pool's closed ones.
    await failure(sql`select 1`);
    expect(await backendsAtOnce(sql)).toBe(2);
  } finally {
    await sql.end({ timeout: 1 });
  }
}, 20_000);

test("every install runs the patch: package.json's postinstall, and the image copies the script before its npm ci", async () => {
  const root = join(import.meta.dir, "..", "..");
  const pkg = (await Bun.file(join(root, "package.json")).json()) as { scripts: Record<string, string> };
  expect(pkg.scripts.postinstall).toBe("node infra/patches/postgres-closed-connection.mjs");
  const dockerfile = await Bun.file(join(root, "infra", "deploy", "Dockerfile")).text();
  const copied = dockerfile.search(/^COPY infra\/patches\/postgres-closed-connection\.mjs \.\/infra\/patches\/$/m);
  const installed = dockerfile.search(/^RUN npm ci\b/m);
  expect(copied).toBeGreaterThan(0);
  expect(installed).toBeGreaterThan(copied);
  expect(dockerfile.slice(0, installed)).toMatch(/^WORKDIR \/app$/m);
});
