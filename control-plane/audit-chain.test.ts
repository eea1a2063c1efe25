import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import type { AdminApiError } from "../infra/local/admin-client.ts";
import { seedConfig } from "./testing/seed.ts";
import { useTestControlPlane } from "./testing/test-control-plane.ts";
import { encodeCursor } from "./graphql/page.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
let secret: string;
beforeAll(async () => {
  ({ secret } = await seedConfig(t.admin));
  sql = t.openSql();
});

type Verdict = { ok: boolean; brokenAt: number | null; checked: number };
const verify = async () => (await t.admin.request<{ verifyAuditChain: Verdict }>(`{ verifyAuditChain { ok brokenAt checked } }`)).verifyAuditChain;

test("auditLog lists the newest changes first with actor, before and after", async () => {
  const { auditLog: page } = await t.admin.request<any>(`{ auditLog(first: 3) { items { id action target actor before after prevHash hash } nextCursor } }`);
  const auditLog = page.items;
  expect(page.nextCursor).toBeString();
  expect(auditLog).toHaveLength(3);
  expect(auditLog[0].action).toBe("key.create");
  expect(auditLog[0].after.name).toBe("backend");
  expect(auditLog[0].actor).toMatch(/^adm_/);
  // The seed prices its models before its alias routes to them.
  expect(auditLog[1].action).toBe("alias.create");
  expect(auditLog[1].before).toBeNull();
  expect(auditLog[0].prevHash).toBe(auditLog[1].hash);
  expect(JSON.stringify(auditLog)).not.toContain(secret);
});

test("verifyAuditChain is ok on an untouched log and names the first altered row", async () => {
  const intact = await verify();
  expect(intact).toEqual({ ok: true, brokenAt: null, checked: 9 });
  const [row] = await sql`select id from audit_log where action = 'alias.create'`;
  // The append-only trigger must be switched off on purpose first (only the table owner can).
  await sql.begin(async (tx) => {
    await tx`alter table audit_log disable trigger audit_log_append_only`;
    await tx`update audit_log set after = jsonb_set(after, '{deploymentIds}', '[]') where id = ${row!.id}`;
    await tx`alter table audit_log enable trigger audit_log_append_only`;
  });
  expect(await verify()).toEqual({ ok: false, brokenAt: Number(row!.id), checked: Number(row!.id) - 1 });
});

test("first out of range is BAD_USER_INPUT", async () => {
  const error = await t.admin.request(`{ auditLog(first: 0) { items { id } } }`).then(() => null, (e: AdminApiError) => e);
  expect(error?.code).toBe("BAD_USER_INPUT");
});

test("a cursor past the bigint range is BAD_USER_INPUT, not a server error; the largest valid one works", async () => {
  const cursor = (n: string) => encodeCursor("auditLog", n);
  for (const n of ["9999999999999999999", "9223372036854775808"]) {
    const error = await t.admin.request(`query($c: String) { auditLog(after: $c) { items { id } } }`, { c: cursor(n) }).then(() => null, (e: AdminApiError) => e);
    expect([n, error?.code]).toEqual([n, "BAD_USER_INPUT"]);
  }
  const { auditLog } = await t.admin.request<{ auditLog: { items: unknown[] } }>(`query($c: String) { auditLog(after: $c) { items { id } } }`, { c: cursor("9223372036854775807") });
  expect(auditLog.items.length).toBeGreaterThan(0);
});
