import { expect, test } from "bun:test";
import type { Snapshot, SnapshotKey } from "../../shared/snapshot/schema.ts";
import { budgetApplies } from "./budget-applies.ts";

const key = (budgets?: SnapshotKey["budgets"]): SnapshotKey => ({ id: "key_1", tenantId: "ten_project", name: "k", status: "active", expiresAt: null, allowedAliases: null, budgets });
const snapshot = (orgBudgets?: { dailyMicros?: number | null; monthlyMicros?: number | null }) =>
  ({
    tenants: {
      ten_org: { id: "ten_org", name: "org", status: "active", budgets: orgBudgets },
      ten_project: { id: "ten_project", name: "project", status: "active", parentId: "ten_org" },
    },
  }) as unknown as Snapshot;

test("a key's cap, or any tenant's up the chain, is a budget; nulls and absence are none", () => {
  expect(budgetApplies(snapshot(), key(), "ten_project")).toBe(false);
  expect(budgetApplies(snapshot({ dailyMicros: null, monthlyMicros: null }), key({ dailyMicros: null }), "ten_project")).toBe(false);
  expect(budgetApplies(snapshot(), key({ dailyMicros: 0 }), "ten_project")).toBe(true);
  expect(budgetApplies(snapshot({ monthlyMicros: 5 }), key(), "ten_project")).toBe(true);
});

test("a parent cycle or a tree deeper than the maximum still ends the walk: budgets within the first levels count, none beyond", () => {
  const chainOf = (n: number, cappedAt: number | null, cycle: boolean) => {
    const tenants: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) tenants[`ten_${i}`] = { id: `ten_${i}`, name: `${i}`, status: "active", parentId: i === n - 1 ? (cycle ? "ten_0" : null) : `ten_${i + 1}`, budgets: i === cappedAt ? { monthlyMicros: 1 } : undefined };
    return { tenants } as unknown as Snapshot;
  };
  expect(budgetApplies(chainOf(3, null, true), key(), "ten_0")).toBe(false);
  expect(budgetApplies(chainOf(3, 2, true), key(), "ten_1")).toBe(true);
  // MAX_TENANT_DEPTH (8) levels are read, as planLimits reads them: a cap on the ninth is not.
  expect(budgetApplies(chainOf(12, 7, false), key(), "ten_0")).toBe(true);
  expect(budgetApplies(chainOf(12, 8, false), key(), "ten_0")).toBe(false);
});
