import { expect, test } from "bun:test";
import { EMPTY_TENANT_POLICY } from "./policy-state.ts";
import { policyLoosening } from "./tenant-policy-loosening.ts";

const p = (fields: Record<string, unknown>) => ({ ...EMPTY_TENANT_POLICY, ...fields });

test("a limit raised or dropped, a list grown or dropped, a feature limit raised, fail-open turned on: each a loosening", () => {
  expect(policyLoosening(p({ rpm: 100 }), p({ rpm: 1000 }))).toEqual(["rpm 100 → 1000"]);
  expect(policyLoosening(p({ dailyBudgetMicros: 2_000_000 }), p({}))).toEqual(["dailyBudgetUsd 2 → inherited"]);
  expect(policyLoosening(p({ allowedJurisdictions: ["eu"] }), p({ allowedJurisdictions: ["eu", "us"] }))).toEqual(["allowedJurisdictions [eu] → [eu, us]"]);
  expect(policyLoosening(p({ featureLimits: { chat: { rpm: 5, tpm: null } } }), p({ featureLimits: { chat: { rpm: 6, tpm: 1 } } }))).toEqual(["featureLimits.chat.rpm 5 → 6"]);
  expect(policyLoosening(p({ budgetFailOpen: false }), p({}))).toEqual(["budgetFailOpen false → inherited"]);
  expect(policyLoosening(p({}), p({ budgetFailOpen: true }))).toEqual(["budgetFailOpen inherited → true"]);
  expect(policyLoosening(p({ rpm: 100 }), null)).toEqual(["rpm 100 → inherited"]);
});

test("narrowing, setting what was inherited, or a time zone: no loosening", () => {
  expect(policyLoosening(p({ rpm: 100, allowedAliases: ["a", "b"] }), p({ rpm: 10, allowedAliases: ["a"], tpm: 5, timeZone: "Europe/Paris", budgetFailOpen: false }))).toEqual([]);
  expect(policyLoosening(p({}), p({ rpm: 1_000_000, featureLimits: { chat: { rpm: 1, tpm: null } } }))).toEqual([]);
});
