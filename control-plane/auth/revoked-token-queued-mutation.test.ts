/**
 * A mutation authenticated before revokeToken / revokeRole commits, and queued behind it on the config
 * lock, is checked again once it holds the lock (still-allowed.ts): a thief's issueToken must not mint
 * a fresh token, a former tenant admin's createKey must not hand out a key, a rotated bootstrap token
 * must not act. Each refusal is audited as refused.<field>. (review ry Y1)
 */
import { expect, test } from "bun:test";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { principalWith } from "../testing/principals.ts";
import { lockWaiters } from "../testing/hold-tenant-row.ts";
import { holdConfigLock } from "../testing/hold-config-lock.ts";
import { AdminApiError } from "../../infra/local/admin-client.ts";

const t = useTestControlPlane();

/** The config lock held by another session until `release()`; queued() waits for `n` requests behind it. */
async function heldConfigLock(): Promise<{ queued: (n: number) => Promise<void>; release: () => Promise<void> }> {
  const watch = t.openSql(1);
  return { queued: (n) => lockWaiters(watch, t.db.name, n), release: await holdConfigLock(t.db.url) };
}

const codeOf = (request: Promise<unknown>): Promise<string> => request.then(() => "done", (e: AdminApiError) => e.code ?? String(e));

async function refusals(action: string): Promise<unknown[]> {
  const db = t.openSql(1);
  return [...(await db<{ code: string }[]>`select after->>'code' as code from audit_log where action = ${action} order by id`)].map((r) => r.code);
}

test("a mutation queued behind revokeToken is refused once the token is revoked", async () => {
  const thief = await principalWith(t.admin, t.cp.url, "stolen", [{ role: "admin" }]);
  const lock = await heldConfigLock();
  // The defender revokes first (queued first on the config lock) ...
  const revoke = t.admin.request(`mutation($j: ID!) { revokeToken(jti: $j) { jti } }`, { j: thief.jti });
  await lock.queued(1);
  // ... the thief's request arrives while the token is still unrevoked, and queues behind it.
  const mint = codeOf(thief.client.request(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { token jti } }`, { i: { principalId: thief.id, ttlSeconds: 3600 } }));
  await lock.queued(2);
  await lock.release();
  await revoke;
  expect(await mint).toBe("UNAUTHENTICATED");
  const db = t.openSql(1);
  const [issued] = await db<{ n: number }[]>`select count(*)::int as n from issued_tokens where principal_id = ${thief.id}`;
  expect(issued!.n).toBe(1); // only the stolen one
  expect(await refusals("refused.issueToken")).toEqual(["UNAUTHENTICATED"]);
});

test("a mutation queued behind revokeRole no longer acts with the revoked role", async () => {
  const { createTenant } = await t.admin.request<{ createTenant: { id: string } }>(`mutation { createTenant(input: { name: "team-x" }) { id } }`);
  const ta = await principalWith(t.admin, t.cp.url, "ta", [{ role: "tenant_admin", tenantId: createTenant.id }]);
  const lock = await heldConfigLock();
  const revoke = t.admin.request(`mutation($i: RoleBindingInput!) { revokeRole(input: $i) { id } }`, { i: { principalId: ta.id, role: "tenant_admin", tenantId: createTenant.id } });
  await lock.queued(1);
  const key = codeOf(ta.client.request(`mutation($t: ID!) { createKey(input: { tenantId: $t, name: "after-revoke" }) { secret } }`, { t: createTenant.id }));
  await lock.queued(2);
  await lock.release();
  await revoke;
  expect(await key).toBe("FORBIDDEN");
  const db = t.openSql(1);
  const [keys] = await db<{ n: number }[]>`select count(*)::int as n from gateway_keys where name = 'after-revoke'`;
  expect(keys!.n).toBe(0);
  expect(await refusals("refused.createKey")).toEqual(["FORBIDDEN"]);
});

test("a tenant admin moved out of scope while queued is confined to what it holds now", async () => {
  const { a } = await t.admin.request<{ a: { id: string } }>(`mutation { a: createTenant(input: { name: "org-a" }) { id } }`);
  const { b } = await t.admin.request<{ b: { id: string } }>(`mutation { b: createTenant(input: { name: "org-b" }) { id } }`);
  const ta = await principalWith(t.admin, t.cp.url, "ta-ab", [{ role: "tenant_admin", tenantId: a.id }, { role: "tenant_admin", tenantId: b.id }]);
  const lock = await heldConfigLock();
  const revoke = t.admin.request(`mutation($i: RoleBindingInput!) { revokeRole(input: $i) { id } }`, { i: { principalId: ta.id, role: "tenant_admin", tenantId: a.id } });
  await lock.queued(1);
  // Still tenant_admin of b, so the field's roles pass: the scope must come from the roles it has now.
  const key = codeOf(ta.client.request(`mutation($t: ID!) { createKey(input: { tenantId: $t, name: "in-lost-scope" }) { secret } }`, { t: a.id }));
  await lock.queued(2);
  await lock.release();
  await revoke;
  expect(await key).toBe("NOT_FOUND");
});

test("a bootstrap token replaced while its mutation waited does not act", async () => {
  const lock = await heldConfigLock();
  const create = codeOf(t.admin.request(`mutation { createTenant(input: { name: "after-rotation" }) { id } }`));
  await lock.queued(1);
  // What a start with another ADMIN_TOKEN does to the row (admin-token.repo.ts): same id, another hash.
  const db = t.openSql(1);
  const [before] = await db<{ hash: string }[]>`select token_hash as hash from admin_tokens`;
  await db`update admin_tokens set token_hash = 'rotated'`;
  try {
    await lock.release();
    expect(await create).toBe("UNAUTHENTICATED");
  } finally {
    await db`update admin_tokens set token_hash = ${before!.hash}`;
  }
  const [made] = await db<{ n: number }[]>`select count(*)::int as n from tenants where name = 'after-rotation'`;
  expect(made!.n).toBe(0);
});
