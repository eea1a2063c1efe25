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
