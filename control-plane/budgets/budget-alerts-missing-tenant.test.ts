/**
 * budgetAlerts of a tenant that does not exist is NOT_FOUND, as budgetStatus, spend and keys are
 * (review rj J5): it answered [], so a key id or a mistyped tenant id read as "no alerts".
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

const alerts = `query($t: ID!) { budgetAlerts(tenantId: $t) { id } }`;

test("budgetAlerts of an id that is no tenant is NOT_FOUND, as budgetStatus is", async () => {
  expect(await errorCode(t.admin.request(`query($t: ID!) { budgetStatus(tenantId: $t) { tenantId } }`, { t: s.keyId }))).toBe("NOT_FOUND");
  for (const id of [s.keyId, "ten_nosuchtenant0000"]) expect([id, await errorCode(t.admin.request(alerts, { t: id }))]).toEqual([id, "NOT_FOUND"]);
});

test("a tenant without alerts still answers []", async () => {
  expect((await t.admin.request<any>(alerts, { t: s.tenantId })).budgetAlerts).toEqual([]);
});
