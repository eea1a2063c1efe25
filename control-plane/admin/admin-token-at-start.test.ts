/**
 * A configured ADMIN_TOKEN becomes the only bootstrap token, revoking the previous one. A value no request
 * can present (a trailing newline from a Kubernetes secret file, a '.', a space, over 512 characters) is
 * refused at start naming ADMIN_TOKEN, before the database is touched, so the working token stays.
 */
import { expect, test } from "bun:test";
import { createTestDatabase } from "../../test/support/postgres.ts";
import { rawGraphQL, startTestControlPlane } from "../testing/test-control-plane.ts";

const me = JSON.stringify({ query: "{ me { id bootstrap } }" });

async function startError(adminToken: string, databaseUrl?: string): Promise<unknown> {
  try {
    const t = await startTestControlPlane({ adminToken, databaseUrl });
    await t.close();
  } catch (error) {
    return error;
  }
  return null;
}

for (const [adminToken, why] of <[string, string][]>[
  ["admtok_from_a_k8s_secret_0123456789\n", "a trailing newline from a file?"],
  ["break.glass.token-0123456789abcdef", "contains '.'"],
  ["correct horse battery staple 0123", "contains whitespace"],
  ["x".repeat(600), "at most 512 characters"],
  ["admtok_short", "at least 16 characters"],
]) {
  test(`ADMIN_TOKEN=${JSON.stringify(adminToken.slice(0, 40))}: refused at start, naming ADMIN_TOKEN and why`, async () => {
    const error = await startError(adminToken);
    expect(String(error)).toContain("ADMIN_TOKEN: ");
    expect(String(error)).toContain(why);
  }, 30_000);
}

test("a good ADMIN_TOKEN authenticates as the bootstrap admin", async () => {
  const adminToken = "admtok_good_0123456789abcdefghij";
  const t = await startTestControlPlane({ adminToken });
  try {
    expect((await rawGraphQL(t.cp.url, adminToken, me)).status).toBe(200);
  } finally {
    await t.close();
  }
}, 30_000);

test("no lockout: a restart with an unusable ADMIN_TOKEN is refused and the working token still works", async () => {
  const db = await createTestDatabase();
  const working = "admtok_working_0123456789abcdefghij";
  try {
    const first = await startTestControlPlane({ databaseUrl: db.url, adminToken: working });
    await first.close();
    expect(String(await startError("break.glass.0123456789abcdefghij", db.url))).toContain("ADMIN_TOKEN");
    const third = await startTestControlPlane({ databaseUrl: db.url, adminToken: working });
    try {
      expect((await rawGraphQL(third.cp.url, working, me)).status).toBe(200);
      const rotations = await rawGraphQL(third.cp.url, working, JSON.stringify({ query: `{ auditLog(first: 10, action: "adminToken.rotate") { items { action } } }` }));
      expect(rotations.json.data.auditLog.items).toEqual([]); // the refused start revoked nothing
    } finally {
      await third.close();
    }
  } finally {
    await db.drop();
  }
}, 60_000);
