/**
 * A refused price.set inside proposeChange names the operation and the field
 * (`operations[i].price.inputUsdPerMillion`), like every other operation: in a request of many price.set
 * operations the admin must see which one was refused. setPrice still names the bare field.
 */
import { expect, test } from "bun:test";
import { argumentRefusals, useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
const PROPOSE = `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`;
const SET_PRICE = `mutation($i: SetPriceInput!) { setPrice(input: $i) { model } }`;
const ok = { provider: "openai", model: "gpt-4o-mini", inputUsdPerMillion: 1, outputUsdPerMillion: 1 };
const BAD = {
  inputUsdPerMillion: { inputUsdPerMillion: -1 },
  outputUsdPerMillion: { outputUsdPerMillion: 2e6 },
  cachedInputUsdPerMillion: { cachedInputUsdPerMillion: Number.MAX_VALUE },
  cacheWriteUsdPerMillion: { cacheWriteUsdPerMillion: -0.5 },
  reasoningUsdPerMillion: { reasoningUsdPerMillion: 1e7 },
  provider: { provider: "skynet" },
  model: { model: "  " },
} as const;

test("a refused price.set inside proposeChange names operations[i].price.<field>", async () => {
  const propose = (bad: Record<string, unknown>) => ({
    i: { description: "prices", operations: [{ op: "price.set", price: ok }, { op: "price.set", price: { ...ok, model: "gpt-4o", ...bad } }] },
  });
  const cases = Object.entries(BAD).map(([field, bad]) => [`operations[1].price.${field}`, t.adminToken, PROPOSE, propose(bad)] as [string, string, string, Record<string, unknown>]);
  expect(await argumentRefusals(t.cp.url, cases)).toEqual(cases.map(([field]) => [field, 200, "BAD_USER_INPUT", true]));
});

test("setPrice still names the bare field", async () => {
  const cases = Object.entries(BAD).map(([field, bad]) => [field, t.adminToken, SET_PRICE, { i: { ...ok, ...bad } }] as [string, string, string, Record<string, unknown>]);
  expect(await argumentRefusals(t.cp.url, cases)).toEqual(cases.map(([field]) => [field, 200, "BAD_USER_INPUT", true]));
});
