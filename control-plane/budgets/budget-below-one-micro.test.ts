/**
 * A budget is stored in whole micro-USD, as prices are: a positive budget below half of one (createKey
 * dailyBudgetUsd 1e-7, tenant.policy 1e-9) used to round silently to a budget of $0, which refuses every
 * paid request, and the answer said dailyBudgetUsd: 0. It is refused (BAD_USER_INPUT naming the field)
 * by createKey and by a tenant.policy change, as setPrice refuses such a price; 0 itself stays a budget.
 */
import { beforeAll, expect, test } from "bun:test";
import { argumentRefusals, useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
const CREATE_KEY = `mutation($i: CreateKeyInput!) { createKey(input: $i) { key { dailyBudgetUsd monthlyBudgetUsd } } }`;
const PROPOSE = `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id diff { field after } } }`;
const TINY = { dailyBudgetUsd: 1e-7, monthlyBudgetUsd: 0.00000049 } as const;
let tenantId: string;
beforeAll(async () => {
  ({ createTenant: { id: tenantId } } = await t.admin.request<any>(`mutation { createTenant(input: { name: "acme" }) { id } }`));
});

test("createKey refuses a positive budget that rounds to 0 micro-USD, naming the field", async () => {
  const cases = Object.entries(TINY).map(([field, usd]) => [field, t.adminToken, CREATE_KEY, { i: { tenantId, name: "k", [field]: usd } }] as [string, string, string, Record<string, unknown>]);
  expect(await argumentRefusals(t.cp.url, cases)).toEqual(cases.map(([field]) => [field, 200, "BAD_USER_INPUT", true]));
});

test("a tenant.policy change refuses it too, naming operations[i].tenantPolicy.<field>", async () => {
  const cases = Object.entries({ ...TINY, dailyBudgetUsd: 1e-9 }).map(
    ([field, usd]) => [`operations[0].tenantPolicy.${field}`, t.adminToken, PROPOSE, { i: { description: "tiny", operations: [{ op: "tenant.policy", id: tenantId, tenantPolicy: { [field]: usd } }] } }] as [string, string, string, Record<string, unknown>],
  );
  expect(await argumentRefusals(t.cp.url, cases)).toEqual(cases.map(([field]) => [field, 200, "BAD_USER_INPUT", true]));
});

test("0 and half a micro-USD (which rounds to one) are budgets", async () => {
  const { createKey } = await t.admin.request<any>(CREATE_KEY, { i: { tenantId, name: "k", dailyBudgetUsd: 0, monthlyBudgetUsd: 0.0000005 } });
  expect(createKey.key).toEqual({ dailyBudgetUsd: 0, monthlyBudgetUsd: 0.000001 });
  const { proposeChange } = await t.admin.request<any>(PROPOSE, { i: { description: "half", operations: [{ op: "tenant.policy", id: tenantId, tenantPolicy: { dailyBudgetUsd: 0, monthlyBudgetUsd: 0.0000005 } }] } });
  expect(proposeChange.id).toBeString();
});
