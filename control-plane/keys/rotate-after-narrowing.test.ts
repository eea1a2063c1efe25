/**
 * A tenant policy change is not checked against the tenant's keys, so a narrowing (rpm 100 → 10,
 * aliases [a, b] → [a]) can leave a key made before it wider than its tenant; enforcement takes every
 * level of the tree, so the key is bounded by the narrower tenant anyway. Rotation copies the old
 * key's values unchanged and must still succeed (there is no mutation to narrow a key).
 */
import { expect, test } from "bun:test";
import { applyApprovedChange } from "../testing/approved-change.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();

test("a key made before its tenant narrowed its rpm and aliases can still be rotated, keeping its values", async () => {
  const { createTenant } = await t.admin.request<any>(`mutation { createTenant(input: { name: "narrowed" }) { id } }`);
  const { createKey } = await t.admin.request<any>(`mutation($i: CreateKeyInput!) { createKey(input: $i) { key { id } secret } }`, {
    i: { tenantId: createTenant.id, name: "backend", rpm: 100, dailyBudgetUsd: 5, allowedAliases: ["chat", "other"] },
  });
  const status = await applyApprovedChange(t.admin, t.cp.url, "narrow", [
    { op: "tenant.policy", id: createTenant.id, tenantPolicy: { rpm: 10, dailyBudgetUsd: 1, allowedAliases: ["chat"] } },
  ]);
  expect(status).toBe("applied");

  const { rotateKey } = await t.admin.request<any>(`mutation($i: RotateKeyInput!) { rotateKey(input: $i) { key { id rpm dailyBudgetUsd allowedAliases } } }`, {
    i: { id: createKey.key.id },
  });
  expect(rotateKey.key).toMatchObject({ rpm: 100, dailyBudgetUsd: 5, allowedAliases: ["chat", "other"] });

  // A new key is still held to the tenant's narrowed policy.
  await expect(
    t.admin.request(`mutation($i: CreateKeyInput!) { createKey(input: $i) { key { id } } }`, { i: { tenantId: createTenant.id, name: "wide", rpm: 100 } }),
  ).rejects.toThrow(/rpm/);
}, 60_000);
