/**
 * The chain links each row to the one before it, so only the head can vanish unnoticed. Every append
 * also records the row's position and hash in audit_head (append-only by the same trigger), and
 * verifyAuditChain compares the two: a deleted tail, or a row added without its head, breaks the chain.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { AUDIT_GENESIS_HASH, auditHash } from "./audit-hash.ts";
import { startTestControlPlane, useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
beforeAll(() => {
  sql = t.openSql();
});

type Verdict = { ok: boolean; brokenAt: number | null; checked: number };
const verify = async () => (await t.admin.request<{ verifyAuditChain: Verdict }>(`{ verifyAuditChain { ok brokenAt checked } }`)).verifyAuditChain;
const tenant = (name: string) => t.admin.request(`mutation($n: String!) { createTenant(input: { name: $n }) { id } }`, { n: name });
const error = (p: Promise<unknown>) => p.then(() => null, (e: Error) => e.message);
/** Runs statements with a table's append-only trigger switched off, as only its owner can. */
const withoutTrigger = (table: string, run: (tx: postgres.TransactionSql) => Promise<unknown>) =>
  sql.begin(async (tx) => {
    await tx.unsafe(`alter table ${table} disable trigger ${table}_append_only`);
    await run(tx);
    await tx.unsafe(`alter table ${table} enable trigger ${table}_append_only`);
  });

test("audit_head refuses UPDATE, DELETE and TRUNCATE", async () => {
  await tenant("h0");
  expect(await error(sql`update audit_head set hash = 'x'`)).toContain("append-only");
  expect(await error(sql`delete from audit_head`)).toContain("append-only");
  expect(await error(sql`truncate audit_head`)).toContain("append-only");
});

test("deleting the newest audit rows is detected", async () => {
  await tenant("h1");
  await tenant("h2");
  const intact = await verify();
  expect(intact.ok).toBe(true);
  const [newest] = await sql<{ id: string }[]>`select id from audit_log order by id desc limit 1`;
  await withoutTrigger("audit_log", (tx) => tx`delete from audit_log where id = ${newest!.id}`);
  expect(await verify()).toEqual({ ok: false, brokenAt: Number(newest!.id), checked: intact.checked - 1 });
});

test("a row appended by hand with a correct chain hash but no head is detected", async () => {
  // The log is already broken by the previous test; start a fresh control plane for this one.
  const fresh = await startTestControlPlane();
  const db = fresh.openSql();
  try {
    await fresh.admin.request(`mutation { createTenant(input: { name: "f1" }) { id } }`);
    const [last] = await db<{ hash: string }[]>`select hash from audit_log order by id desc limit 1`;
    const content = { at: new Date().toISOString(), actor: "adm_forged", action: "tenant.create", target: "ten_forged", before: null, after: null };
    const hash = auditHash(last?.hash ?? AUDIT_GENESIS_HASH, content);
    const [row] = await db<{ id: string }[]>`insert into audit_log (at, actor, action, target, prev_hash, hash)
      values (${content.at}, ${content.actor}, ${content.action}, ${content.target}, ${last!.hash}, ${hash}) returning id`;
    const { verifyAuditChain } = await fresh.admin.request<{ verifyAuditChain: Verdict }>(`{ verifyAuditChain { ok brokenAt checked } }`);
    expect(verifyAuditChain).toMatchObject({ ok: false, brokenAt: Number(row!.id) });
  } finally {
    await fresh.close();
  }
});
