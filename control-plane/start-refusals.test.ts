/**
 * `bun control-plane/main.ts` with a bad variable: exit 1 and one stderr line `control plane: <VARIABLE>: <why>`
 * (no stack trace), refused before anything touches the database: no migration ran on DATABASE_URL's
 * database, no embedded database was created under DATA_DIR.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { createTestDatabase, type TestDatabase } from "../test/support/postgres.ts";
import { generateSigningKey } from "../shared/snapshot/sign.ts";
import { freePort } from "../test/support/ports.ts";
import { runToExit } from "../test/support/run-to-exit.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
// A port nothing listens on, should a regression get as far as listening: a fixed one may be another run's.
const PORT = String(freePort());
let db: TestDatabase;
const dirs: string[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function refusedStart(extra: Record<string, string>) {
  const dataDir = await mkdtemp(join(tmpdir(), "cp-refusal-"));
  dirs.push(dataDir);
  const run = await runToExit(MAIN, { PORT, DATA_DIR: dataDir, ADMIN_TOKEN: "admtok_refusal_0123456789abcdef", ...extra });
  return { ...run, embeddedCreated: existsSync(join(dataDir, "pglite")) };
}

async function tablesIn(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`;
    return row!.n;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function expectRefusal(run: { stderr: string; exitCode: number | null; stdout: string }, variable: string) {
  expect(run.exitCode).toBe(1);
  expect(run.stderr.split("\n")).toHaveLength(1);
  expect(run.stderr.startsWith(`control plane: ${variable}: `)).toBe(true);
  expect(run.stdout).not.toContain("listening");
}

for (const [variable, value] of [
  ["PORT", "abc"],
  ["REQUIRED_APPROVALS", "abc"],
  ["ADMIN_JWT_MAX_LINEAGE_HOURS", "0"],
  ["LOG_FORMAT", "xml"],
  ["SIGNING_KEY_PREVIOUS_JWKS", "{not json"],
  ["HOST", "gateway.invalid"],
  ["HOST", ""],
  ["TRUST_FORWARDED_FOR", "yes"],
  ["DATABASE_URL", "mysql://db.example.com/gateway"],
  ["BUDGET_WEBHOOK_URL", "hooks.example.com/budget-alerts"],
  ["BUDGET_WEBHOOK_SECRET", "whsec_too_short"],
] as const) {
  test(`${variable}=${value}: one line naming ${variable}, exit 1, no database made`, async () => {
    const run = await refusedStart({ [variable]: value });
    expectRefusal(run, variable);
    expect(run.embeddedCreated).toBe(false);
  }, 20_000);
}

const badSecrets: [string, string][] = [
  ["SIGNING_KEY_JWK", "not-json"],
  // JSON, but no Ed25519 private key: WebCrypto refuses it on import.
  ["SIGNING_KEY_JWK", JSON.stringify({ kty: "OKP", crv: "Ed25519", x: "short", d: "short", kid: "cp-bad" })],
  ["SIGNING_KEY_JWK", JSON.stringify({ kty: "OKP", crv: "Ed25519", x: "TOhVR9fBlGropP6VRZm1d4Zm_2eZRGmCYrNxc_As5IU", kid: "cp-public-only" })],
  ["AUDIT_HMAC_KEY", "too-short"],
  ["ADMIN_JWT_SECRET", "too-short"],
  // Installed as the only bootstrap token, yet no request could present it: the operator locked out.
  ["ADMIN_TOKEN", "admtok_from_a_k8s_secret_0123456789\n"],
  ["ADMIN_TOKEN", "break.glass.token-0123456789abcdef"],
];
// d of one key with x of another: imports, but signs snapshots no proxy pinning x accepts.
const [one, other] = await Promise.all([generateSigningKey("cp-one"), generateSigningKey("cp-other")]);
badSecrets.push(["SIGNING_KEY_JWK", JSON.stringify({ ...one.privateJwk, x: other.privateJwk.x })]);
for (const [variable, value] of badSecrets) {
  test(`${variable}=${value.slice(0, 40)}: refused naming ${variable} before DATABASE_URL's database is migrated`, async () => {
    const run = await refusedStart({ DATABASE_URL: db.url, [variable]: value });
    expectRefusal(run, variable);
    expect(await tablesIn(db.url)).toBe(0);
  }, 20_000);
}

test("a start that fails after the configuration was read (the database unreachable) is one line too, not a stack trace", async () => {
  const run = await refusedStart({ DATABASE_URL: `postgres://nobody@127.0.0.1:${freePort()}/none` });
  expect(run.exitCode).toBe(1);
  expect(run.stderr.split("\n")).toHaveLength(1);
  expect(run.stderr).toStartWith("control plane: ");
  expect(run.stderr).not.toMatch(/^\s+at /m);
}, 20_000);

test("DATA_DIR that is a file: refused naming DATA_DIR", async () => {
  const dir = await mkdtemp(join(tmpdir(), "cp-refusal-"));
  dirs.push(dir);
  await Bun.write(join(dir, "a-file"), "");
  const run = await runToExit(MAIN, { PORT, DATA_DIR: join(dir, "a-file") });
  expectRefusal(run, "DATA_DIR");
}, 20_000);
