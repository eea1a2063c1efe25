/**
 * The audit chain is keyed (HMAC-SHA-256) with a secret the control plane holds and the database does
 * not, so INSERT rights on the database are not enough to extend it: a row appended by hand with a
 * recomputed hash and head breaks the chain there. Chains written unkeyed before the key existed still
 * verify up to the first keyed row; an unkeyed row after it is a break, and so is a keyed row that does
 * not verify under this control plane's key (another key on the same database is reported, not adopted).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminClient } from "../../infra/local/admin-client.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { loadMigrations, migrate } from "../db/migrate.ts";
import { openDatabase } from "../db/client.ts";
import { startControlPlane } from "../main.ts";
import { seedConfig } from "../testing/seed.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";
import { AUDIT_GENESIS_HASH, auditHash, type AuditContent } from "./audit-hash.ts";

type Verdict = { ok: boolean; brokenAt: number | null; checked: number };
const verifyOn = async (t: TestControlPlane) => (await t.admin.request<{ verifyAuditChain: Verdict }>(`{ verifyAuditChain { ok brokenAt checked } }`)).verifyAuditChain;
const newest = async (t: TestControlPlane, n = 1) =>
  (await t.admin.request<{ auditLog: { items: { id: string; actor: string; action: string; target: string }[] } }>(`query($n: Int) { auditLog(first: $n) { items { id actor action target } } }`, { n })).auditLog.items;
const KEY_A = "audit-key-A-0123456789abcdef0123456789abcdef";
const KEY_B = "audit-key-B-0123456789abcdef0123456789abcdef";

/**
 * Appends a row the way the reviewer did (and the way the unkeyed chain was written before): the last
 * hash, the next one by auditHash, the row and its head. Returns the new row's id.
 */
async function appendUnkeyed(sql: postgres.Sql, actor: string, action: string, target: string): Promise<number> {
  const [last] = await sql<{ hash: string }[]>`select hash from audit_log order by id desc limit 1`;
  const [head] = await sql<{ seq: string | null }[]>`select max(seq)::text as seq from audit_head`;
  const prev = last?.hash ?? AUDIT_GENESIS_HASH;
  const content: AuditContent = { at: new Date().toISOString(), actor, action, target, before: null, after: { approvals: 1, status: "approved" }, clientAddress: null, breakGlass: false };
  const hash = auditHash(prev, content);
  const [row] = await sql<{ id: string }[]>`insert into audit_log (at, actor, action, target, before, after, prev_hash, hash, client_address, break_glass)
    values (${content.at}, ${content.actor}, ${content.action}, ${content.target}, null, ${sql.json(content.after as never)}, ${prev}, ${hash}, null, false) returning id::text`;
  await sql`insert into audit_head (seq, audit_id, hash) values (${String(BigInt(head?.seq ?? "0") + 1n)}, ${row!.id}, ${hash})`;
  return Number(row!.id);
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cp-audit-key-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  return db;
}

let t: TestControlPlane;
beforeAll(async () => {
  t = await startTestControlPlane();
  cleanups.push(() => t.close());
  await seedConfig(t.admin);
}, 60_000);

test("normal operation: every row is keyed, the chain verifies, the key is generated in dataDir (0600)", async () => {
  expect(await verifyOn(t)).toMatchObject({ ok: true, brokenAt: null });
  const sql = t.openSql();
  const schemes = await sql<{ scheme: string; n: number }[]>`select hash_scheme as scheme, count(*)::int as n from audit_log group by 1`;
  expect(schemes.map((r) => r.scheme)).toEqual(["hmac-sha256"]);
  const file = await stat(join(t.dataDir, "audit-hmac.key"));
  expect(file.mode & 0o777).toBe(0o600);
});

test("the reviewer's forge (INSERT rights only: recomputed hash, row and head) breaks the chain at the forged row", async () => {
  const sql = t.openSql();
  const forged = await appendUnkeyed(sql, "prn_someone_else", "change.approve", "chg_forged");
  expect(await verifyOn(t)).toMatchObject({ ok: false, brokenAt: forged });
  // The forged row is still listed (the log is append-only), but verification names it.
  expect((await newest(t))[0]).toMatchObject({ id: String(forged), actor: "prn_someone_else", action: "change.approve" });
});

test("a forged row that claims to be keyed, hashed without the key, breaks the chain too", async () => {
  const fresh = await startTestControlPlane();
  cleanups.push(() => fresh.close());
  await fresh.admin.request(`mutation { createTenant(input: { name: "k1" }) { id } }`);
  const sql = fresh.openSql();
  const forged = await appendUnkeyed(sql, "prn_someone_else", "change.approve", "chg_forged");
  await sql.begin(async (tx) => {
    await tx`alter table audit_log disable trigger audit_log_append_only`;
    await tx`update audit_log set hash_scheme = 'hmac-sha256' where id = ${forged}`;
    await tx`alter table audit_log enable trigger audit_log_append_only`;
  });
  expect(await verifyOn(fresh)).toMatchObject({ ok: false, brokenAt: forged });
});

test("a legacy unkeyed chain followed by keyed rows verifies; the first keyed start seals it; unkeyed rows after that break it", async () => {
  const db = await database();
  const dataDir = await tempDir();
  // The database as the previous version left it: migrated before the keyed chain, with unkeyed rows.
  const old = await openDatabase(db.url, dataDir);
  try {
    await migrate(old.sql, (await loadMigrations()).filter((m) => m.version < 75));
    for (let i = 0; i < 3; i++) await appendUnkeyed(old.sql, "adm_legacy", "tenant.create", `ten_legacy_${i}`);
  } finally {
    await old.close();
  }
  const cp = await startTestControlPlane({ databaseUrl: db.url, dataDir });
  cleanups.push(() => cp.close());
  // The start appends one keyed row right after the legacy ones, so none can be added unkeyed later.
  const [seal] = await newest(cp);
  expect(seal).toMatchObject({ action: "audit.key", actor: "system:config" });
  expect(await verifyOn(cp)).toEqual({ ok: true, brokenAt: null, checked: 4 });
  await cp.admin.request(`mutation { createTenant(input: { name: "after-upgrade" }) { id } }`);
  expect(await verifyOn(cp)).toEqual({ ok: true, brokenAt: null, checked: 5 });
  const sql = cp.openSql();
  const schemes = await sql<{ scheme: string }[]>`select hash_scheme as scheme from audit_log order by id`;
  expect(schemes.map((r) => r.scheme)).toEqual(["sha256", "sha256", "sha256", "hmac-sha256", "hmac-sha256"]);
  // A restart does not seal again: the newest row is keyed already.
  await cp.cp.stop();
  // (The helper's new ADMIN_TOKEN is a rotation: one more keyed row, and no second seal.)
  const again = await startTestControlPlane({ databaseUrl: db.url, dataDir });
  cleanups.push(() => again.close());
  expect(await verifyOn(again)).toEqual({ ok: true, brokenAt: null, checked: 6 });
  expect((await newest(again, 2)).map((r) => r.action)).toEqual(["adminToken.rotate", "tenant.create"]);
  const forged = await appendUnkeyed(again.openSql(), "adm_legacy", "change.approve", "chg_forged");
  expect(await verifyOn(again)).toMatchObject({ ok: false, brokenAt: forged, checked: 6 });
}, 60_000);

test("a control plane with another key on the same database reports the chain broken at the first keyed row, and says so at start", async () => {
  const db = await database();
  const first = await startTestControlPlane({ databaseUrl: db.url, dataDir: await tempDir(), auditHmacKey: KEY_A });
  cleanups.push(() => first.close());
  await first.admin.request(`mutation { createTenant(input: { name: "a1" }) { id } }`);
  expect(await verifyOn(first)).toMatchObject({ ok: true });
  const [firstRows] = await first.openSql()<{ min: string; max: string }[]>`select min(id)::text as min, max(id)::text as max from audit_log`;
  await first.cp.stop();

  const second = await startTestControlPlane({ databaseUrl: db.url, dataDir: await tempDir(), auditHmacKey: KEY_B });
  cleanups.push(() => second.close());
  expect(second.logs.some((l) => /does not verify with this control plane's audit key/.test(l))).toBe(true);
  expect(await verifyOn(second)).toMatchObject({ ok: false, brokenAt: Number(firstRows!.min) });
  // It did not adopt the other key: what it appends is keyed with its own, and still reported.
  await second.admin.request(`mutation { createTenant(input: { name: "b1" }) { id } }`);
  expect(await verifyOn(second)).toMatchObject({ ok: false, brokenAt: Number(firstRows!.min) });
  await second.cp.stop();

  // Back on key A: its rows verify, the ones key B wrote do not.
  const third = await startTestControlPlane({ databaseUrl: db.url, dataDir: await tempDir(), auditHmacKey: KEY_A });
  cleanups.push(() => third.close());
  expect(third.logs.some((l) => /does not verify with this control plane's audit key/.test(l))).toBe(true);
  // The first row key B wrote (the rotation of the helper's new ADMIN_TOKEN at its start).
  const [bRow] = await third.openSql()<{ id: string; action: string }[]>`select id::text, action from audit_log where id > ${firstRows!.max} order by id limit 1`;
  expect(bRow!.action).toBe("adminToken.rotate");
  expect(await verifyOn(third)).toMatchObject({ ok: false, brokenAt: Number(bRow!.id) });
}, 60_000);

test("the same key, from AUDIT_HMAC_KEY or the same dataDir, verifies across control planes on one database", async () => {
  const db = await database();
  const dataDir = await tempDir();
  const first = await startTestControlPlane({ databaseUrl: db.url, dataDir });
  cleanups.push(() => first.close());
  await first.admin.request(`mutation { createTenant(input: { name: "d1" }) { id } }`);
  await first.cp.stop();
  const second = await startTestControlPlane({ databaseUrl: db.url, dataDir });
  cleanups.push(() => second.close());
  await second.admin.request(`mutation { createTenant(input: { name: "d2" }) { id } }`);
  expect(await verifyOn(second)).toMatchObject({ ok: true });
  expect(second.logs.some((l) => /audit key/.test(l))).toBe(false);

  const shared = await database();
  const a = await startTestControlPlane({ databaseUrl: shared.url, auditHmacKey: KEY_A });
  cleanups.push(() => a.close());
  const b = await startTestControlPlane({ databaseUrl: shared.url, auditHmacKey: KEY_A });
  cleanups.push(() => b.close());
  // b's start rotated the bootstrap token (one keyed row): both replicas take b's token now.
  const viaA = adminClient(a.cp.url, b.adminToken);
  await viaA.request(`mutation { createTenant(input: { name: "r1" }) { id } }`);
  await b.admin.request(`mutation { createTenant(input: { name: "r2" }) { id } }`);
  for (const admin of [viaA, b.admin]) {
    const { verifyAuditChain } = await admin.request<{ verifyAuditChain: Verdict }>(`{ verifyAuditChain { ok brokenAt checked } }`);
    expect(verifyAuditChain).toEqual({ ok: true, brokenAt: null, checked: 3 });
  }
}, 60_000);

test("the embedded launcher's default (PGlite, key generated in dataDir) keys the chain and verifies it", async () => {
  const dataDir = await tempDir();
  const cp = await startControlPlane({ port: 0, dataDir, adminToken: "admtok_embedded_audit_key_0123456789", log: () => {} });
  cleanups.push(() => cp.stop());
  const admin = adminClient(cp.url, "admtok_embedded_audit_key_0123456789");
  await admin.request(`mutation { createTenant(input: { name: "e1" }) { id } }`);
  const { verifyAuditChain } = await admin.request<{ verifyAuditChain: Verdict }>(`{ verifyAuditChain { ok brokenAt checked } }`);
  expect(verifyAuditChain).toEqual({ ok: true, brokenAt: null, checked: 1 });
  expect((await stat(join(dataDir, "audit-hmac.key"))).mode & 0o777).toBe(0o600);
}, 60_000);

test("a configured key shorter than 32 characters fails the start", async () => {
  const db = await database();
  await expect(startTestControlPlane({ databaseUrl: db.url, auditHmacKey: "short" })).rejects.toThrow(/AUDIT_HMAC_KEY/);
});
