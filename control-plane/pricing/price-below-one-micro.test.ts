/**
 * A price is stored in whole micro-USD per 1M tokens: a non-zero price below half of one ($0.0000004
 * per 1M) would round to 0 and serve the model for free. It is refused (BAD_USER_INPUT naming the
 * field), by setPrice and by a price.set inside a change request; 0 itself stays a price.
 */
import { expect, test } from "bun:test";
import { argumentRefusals, useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
const SET_PRICE = `mutation($i: SetPriceInput!) { setPrice(input: $i) { inputUsdPerMillion outputUsdPerMillion } }`;
const PROPOSE = `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`;
const ok = { provider: "openai", model: "tiny-model", inputUsdPerMillion: 1, outputUsdPerMillion: 1 };
const TINY = {
  inputUsdPerMillion: 0.0000004,
  outputUsdPerMillion: 1e-9,
  cachedInputUsdPerMillion: 0.0000001,
  cacheWriteUsdPerMillion: 0.00000049,
  reasoningUsdPerMillion: 1e-12,
} as const;

test("setPrice refuses a non-zero price that rounds to 0 micro-USD, naming the field", async () => {
  const cases = Object.entries(TINY).map(([field, usd]) => [field, t.adminToken, SET_PRICE, { i: { ...ok, [field]: usd } }] as [string, string, string, Record<string, unknown>]);
  expect(await argumentRefusals(t.cp.url, cases)).toEqual(cases.map(([field]) => [field, 200, "BAD_USER_INPUT", true]));
});

test("a price.set change refuses it too, naming operations[i].price.<field>", async () => {
  const cases = Object.entries(TINY).map(
    ([field, usd]) => [`operations[0].price.${field}`, t.adminToken, PROPOSE, { i: { description: "tiny", operations: [{ op: "price.set", price: { ...ok, [field]: usd } }] } }] as [string, string, string, Record<string, unknown>],
  );
  expect(await argumentRefusals(t.cp.url, cases)).toEqual(cases.map(([field]) => [field, 200, "BAD_USER_INPUT", true]));
});

test("0 and half a micro-USD are still prices", async () => {
  const { setPrice } = await t.admin.request<{ setPrice: { inputUsdPerMillion: number; outputUsdPerMillion: number } }>(SET_PRICE, { i: { ...ok, inputUsdPerMillion: 0, outputUsdPerMillion: 0.0000005 } });
  expect(setPrice).toEqual({ inputUsdPerMillion: 0, outputUsdPerMillion: 0.000001 });
});
