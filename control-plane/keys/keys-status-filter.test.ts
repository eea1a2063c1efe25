/**
 * keys(status:) takes the statuses a key reads (active, revoked, expired) and refuses any other value
 * with BAD_USER_INPUT naming status, as changeRequests(status:) does: "Active", "disabled" or "rotated"
 * answered an empty page, so a script asking "are any keys still active?" was told none.
 */
import { beforeAll, expect, test } from "bun:test";
import { errorCode } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let s: Seeded;
beforeAll(async () => {
  s = await seedConfig(t.admin);
});

const q = `query($t: ID!, $s: String) { keys(tenantId: $t, status: $s) { items { id } } }`;

test("an unknown key status is BAD_USER_INPUT naming status, not an empty page", async () => {
  for (const status of ["Active", "ACTIVE", "disabled", "rotated", ""]) {
    expect([status, await errorCode(t.admin.request(q, { t: s.tenantId, s: status }))]).toEqual([status, "BAD_USER_INPUT"]);
  }
  await expect(t.admin.request(q, { t: s.tenantId, s: "rotated" })).rejects.toThrow(/status.*active, revoked, expired/);
});

test("each known status, and none, still filters", async () => {
  const ids = async (status: string | null) => ((await t.admin.request<any>(q, { t: s.tenantId, s: status })).keys.items as { id: string }[]).map((k) => k.id);
  expect(await ids("active")).toEqual([s.keyId]);
  expect(await ids(null)).toEqual([s.keyId]);
  expect(await ids("revoked")).toEqual([]);
  expect(await ids("expired")).toEqual([]);
});
