/**
 * ADMIN_TOKEN is the bootstrap token: configuring another one replaces the stored one (same `adm_` id,
 * so the audit history still points to it), which revokes the previous token — a generated one too.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { openDatabase, type Database } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { firstGraphQLError, startTestControlPlane } from "../testing/test-control-plane.ts";
import { adminForToken, ensureAdminToken } from "./admin-token.repo.ts";

let database: TestDatabase;
let db: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDatabase(database.url, "/nonexistent-unused");
  await migrate(db.sql);
});
afterAll(async () => {
  await db.close();
  await database.drop();
});

const rotations = async () => [...(await db.sql`select actor, action, target, after from audit_log where action = 'adminToken.rotate' order by id`)];

test("generated, then configured A, then B: each start leaves exactly the configured token, under the first id", async () => {
  const generated = (await ensureAdminToken(db.sql, null, async () => {}))!;
  const id = await adminForToken(db.sql, generated);
  expect(id).toStartWith("adm_");

  // Starting again without ADMIN_TOKEN keeps the generated token.
  expect(await ensureAdminToken(db.sql, null)).toBeNull();
  expect(await adminForToken(db.sql, generated)).toBe(id);

  await ensureAdminToken(db.sql, "admtok_A");
  expect(await adminForToken(db.sql, generated)).toBeNull();
  expect(await adminForToken(db.sql, "admtok_A")).toBe(id);

  await ensureAdminToken(db.sql, "admtok_B");
  expect(await adminForToken(db.sql, "admtok_A")).toBeNull();
  expect(await adminForToken(db.sql, "admtok_B")).toBe(id);

  // The same token again, or no token at all, changes nothing and audits nothing more.
  await ensureAdminToken(db.sql, "admtok_B");
  expect(await ensureAdminToken(db.sql, null)).toBeNull();
  expect(await adminForToken(db.sql, "admtok_B")).toBe(id);
  expect((await db.sql`select count(*)::int as n from admin_tokens`)[0]!.n).toBe(1);
  expect(await rotations()).toEqual([
    { actor: "system:config", action: "adminToken.rotate", target: id, after: { revokedTokens: 1 } },
    { actor: "system:config", action: "adminToken.rotate", target: id, after: { revokedTokens: 1 } },
  ]);
});

test("extra bootstrap rows left by older versions are revoked too; the configured one keeps its id", async () => {
  await db.sql`insert into admin_tokens (id, token_hash, created_at) values ('adm_old1', 'hash-old-1', now() - interval '2 days'), ('adm_old2', 'hash-old-2', now() + interval '1 day')`;
  const id = await adminForToken(db.sql, "admtok_B");
  await ensureAdminToken(db.sql, "admtok_B");
  expect([...(await db.sql`select id from admin_tokens`)]).toEqual([{ id }]);
  expect((await rotations()).at(-1)).toEqual({ actor: "system:config", action: "adminToken.rotate", target: id, after: { revokedTokens: 2 } });
});

test("a control plane restarted with another ADMIN_TOKEN answers the previous one UNAUTHENTICATED", async () => {
  const own = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), "cp-rotation-"));
  try {
    // The helper gives every start a fresh ADMIN_TOKEN: the second start is a rotation.
    const first = await startTestControlPlane({ databaseUrl: own.url, dataDir });
    const leaked = first.adminToken;
    await first.close();
    const second = await startTestControlPlane({ databaseUrl: own.url, dataDir });
    try {
      const me = JSON.stringify({ query: "{ me { id bootstrap } }" });
      expect(await firstGraphQLError(second.cp.url, leaked, me)).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
      expect(await second.admin.request(`{ me { bootstrap } }`)).toEqual({ me: { bootstrap: true } });
    } finally {
      await second.close();
    }
  } finally {
    await own.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
