/**
 * A database owner can rewrite every row as an unkeyed `sha256` row (a public algorithm, no key needed)
 * and the heads to match: the chain then reads exactly like one from before the audit key, and no marker
 * inside the database could tell, as the same owner could delete it. What shows the downgrade:
 * verifyAuditChain says how many rows are unkeyed and where keyed hashing begins (a monitor alerts on
 * unkeyed rows, or on keyedFrom moving), and the start that seals an unkeyed chain end warns, naming the
 * rows, and whether a keyed row comes before them. An unkeyed end after a keyed row stays a break, sealed
 * or not. Only the outside anchor of the head (GOVERNANCE.md) catches an all-unkeyed rewrite for certain.
 */
import { afterAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { seedConfig } from "../testing/seed.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";
import { AUDIT_GENESIS_HASH, auditHash, type AuditContent } from "./audit-hash.ts";
import { auditChain } from "./audit-read.repo.ts";
import { storedContent } from "./verify-audit-chain.ts";

type Verdict = { ok: boolean; brokenAt: number | null; checked: number; unkeyedRows: number; keyedFrom: number | null };
const verifyOn = async (t: TestControlPlane): Promise<Verdict> =>
  (await t.admin.request<{ verifyAuditChain: Verdict }>(`{ verifyAuditChain { ok brokenAt checked unkeyedRows keyedFrom } }`)).verifyAuditChain;

const running: TestControlPlane[] = [];
afterAll(async () => {
  // The restarted ones first: the first one made (and drops) the database and data dir.
  for (const t of running.reverse()) await t.close().catch(() => {});
}, 30_000);
async function start(on?: TestControlPlane): Promise<TestControlPlane> {
  const t = await startTestControlPlane(on ? { databaseUrl: on.db.url, dataDir: on.dataDir } : {});
  running.push(t);
  return t;
}

/** Rewrites every row, from `fromId` on, as an unkeyed row chained from the row before it, heads too (as a table owner can). */
async function rehashUnkeyed(sql: postgres.Sql, fromId: number, edit: (content: AuditContent) => void = () => {}): Promise<void> {
  const rows = await Array.fromAsync(auditChain(sql));
  await sql.begin(async (tx) => {
    await tx`alter table audit_log disable trigger audit_log_append_only`;
    await tx`alter table audit_head disable trigger audit_head_append_only`;
    let prev = AUDIT_GENESIS_HASH;
    for (const row of rows) {
      if (Number(row.id) < fromId) {
        prev = row.hash;
        continue;
      }
      const content = storedContent(row);
      edit(content);
      const hash = auditHash(prev, content);
      await tx`update audit_log set actor = ${content.actor}, break_glass = ${content.breakGlass === true}, prev_hash = ${prev}, hash = ${hash}, hash_scheme = 'sha256' where id = ${row.id}`;
      await tx`update audit_head set hash = ${hash} where audit_id = ${row.id}`;
      prev = hash;
    }
    await tx`alter table audit_log enable trigger audit_log_append_only`;
    await tx`alter table audit_head enable trigger audit_head_append_only`;
  });
}

const rowIds = async (sql: postgres.Sql): Promise<number[]> => (await sql<{ id: string }[]>`select id::text from audit_log order by id`).map((r) => Number(r.id));

test("a whole chain rewritten unkeyed still verifies, but the verdict counts the unkeyed rows and the seal at the next start warns", async () => {
  const first = await start();
  const seeded = await seedConfig(first.admin);
  await first.admin.request(`mutation($id: ID!) { killSwitch(target: { kind: "deployment", id: $id }, reason: "incident") { affected } }`, { id: seeded.usDeploymentId });
  const sql = first.openSql();
  const ids = await rowIds(sql);
  expect(await verifyOn(first)).toEqual({ ok: true, brokenAt: null, checked: ids.length, unkeyedRows: 0, keyedFrom: ids[0]! });

  // The forgery: the break-glass kill switch pinned on someone else, every row re-hashed without the key.
  await rehashUnkeyed(sql, ids[0]!, (content) => {
    if (content.action === "killswitch.deployment") Object.assign(content, { actor: "prn_scapegoat", breakGlass: false });
  });
  // Indistinguishable from a database from before the key: it verifies, but says no row is keyed.
  expect(await verifyOn(first)).toEqual({ ok: true, brokenAt: null, checked: ids.length, unkeyedRows: ids.length, keyedFrom: null });

  await first.cp.stop();
  const second = await start(first);
  const warning = second.logs.find((l) => /sealing \d+ unkeyed/.test(l));
  expect(warning).toContain(`sealing ${ids.length} unkeyed audit rows`);
  expect(warning).toContain("no keyed row precedes them");
  expect(warning).toMatch(/outside anchor/);
  const [seal] = await sql<{ id: string }[]>`select id::text from audit_log where action = 'audit.key'`;
  expect(await verifyOn(second)).toMatchObject({ ok: true, unkeyedRows: ids.length, keyedFrom: Number(seal!.id) });
}, 60_000);

test("an unkeyed end after keyed rows breaks the chain; the start seals it with a warning naming the keyed row, and it stays broken", async () => {
  const first = await start();
  await first.admin.request(`mutation { createTenant(input: { name: "k1" }) { id } }`);
  await first.admin.request(`mutation { createTenant(input: { name: "k2" }) { id } }`);
  await first.admin.request(`mutation { createTenant(input: { name: "k3" }) { id } }`);
  const sql = first.openSql();
  const ids = await rowIds(sql);
  // Rewrites the last two rows unkeyed: keyed rows, then an unkeyed end.
  await rehashUnkeyed(sql, ids[ids.length - 2]!);
  const brokenAt = ids[ids.length - 2]!;
  expect(await verifyOn(first)).toMatchObject({ ok: false, brokenAt, unkeyedRows: 0, keyedFrom: ids[0]! });

  await first.cp.stop();
  const second = await start(first);
  const warning = second.logs.find((l) => /sealing \d+ unkeyed/.test(l));
  expect(warning).toContain("sealing 2 unkeyed audit rows");
  expect(warning).toContain(`after keyed row ${ids[ids.length - 3]!}`);
  expect(await verifyOn(second)).toMatchObject({ ok: false, brokenAt });
}, 60_000);
