/**
 * postgres.js reads a timestamptz's text with `new Date("0049-01-01 00:00:00+00")`, which the JS engine
 * reads as 2049 (years 0001-0049 as 20xx, 0050-0099 as 19xx). With DateTimes accepted from 0001, a
 * proposeChange with applyAt 0049-01-01 answered applyAt 2049 (passing the "within a year" check),
 * approveChange said scheduled for 2049, and the ticker, comparing in SQL where it is 0049, applied it
 * a second later. Now a stored DateTime (applyAt of proposeChange and proposeRollback, createKey's
 * expiresAt) before 0100-01-01 is BAD_USER_INPUT naming the argument. Filters compared only in SQL
 * (spend and auditLog from/to, budgetAlerts since) keep year 0001 (request-errors.test.ts).
 */
import { beforeAll, expect, test } from "bun:test";
import { twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { argumentRefusals, useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let seed: Seeded;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
beforeAll(async () => {
  seed = await seedConfig(t.admin);
  ({ ann, ben } = await twoApprovers(t.admin, t.cp.url));
});

const price = { provider: "openai", model: "m", inputUsdPerMillion: 1, outputUsdPerMillion: 1 };
const propose = `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id applyAt } }`;

test("a stored DateTime in years 0001-0099 is BAD_USER_INPUT naming the argument, wherever it appears", async () => {
  const cases: [string, string, string, Record<string, unknown>][] = [
    ["input.applyAt", t.adminToken, propose, { i: { description: "d", applyAt: "0049-01-01T00:00:00Z", operations: [{ op: "price.set", price }] } }],
    ["input.applyAt", t.adminToken, propose, { i: { description: "d", applyAt: "0099-12-31T23:59:59.999Z", operations: [{ op: "price.set", price }] } }],
    // 00:30 at UTC+1 on 0100-01-01 is still 0099 in UTC.
    ["applyAt", t.adminToken, `mutation($a: DateTime) { proposeRollback(toVersion: 1, applyAt: $a) { id } }`, { a: "0100-01-01T00:30:00+01:00" }],
    ["input.expiresAt", t.adminToken, `mutation($i: CreateKeyInput!) { createKey(input: $i) { secret } }`, { i: { tenantId: seed.tenantId, name: "old", expiresAt: "0070-01-01T00:00:00Z" } }],
  ];
  const got = (await argumentRefusals(t.cp.url, cases)).map(([field, , code, named]) => [field, code, named]);
  expect(got).toEqual(cases.map(([field]) => [field, "BAD_USER_INPUT", true]));
});

test("applyAt 0100-01-01 (the earliest accepted) reads back as sent, and approving applies it at once (it is in the past)", async () => {
  const sent = "0100-01-01T00:00:00.000Z";
  const { proposeChange } = await ann.client.request<any>(propose, { i: { description: "x", applyAt: sent, operations: [{ op: "price.set", price }] } });
  const { approveChange } = await ben.client.request<any>(`mutation($id: ID!) { approveChange(id: $id) { status applyAt } }`, { id: proposeChange.id });
  expect([proposeChange.applyAt, approveChange.status, approveChange.applyAt]).toEqual([sent, "applied", sent]);
});
