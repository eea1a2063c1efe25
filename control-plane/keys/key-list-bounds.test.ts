/**
 * List arguments that end up in every region's signed snapshot have a count bound (review rj J1):
 * createKey's allowedAliases / allowedRegions, tenant.policy's allowedAliases, allowedJurisdictions
 * and featureLimits, and a deployment's flags took any number of entries (only the 1 MB body bounded
 * them). A tenant admin's key with 60,000 aliases grew the eu snapshot from 696 to 706,175 bytes; a few
 * hundred such keys pass SNAPSHOT_MAX_BYTES and no proxy takes a snapshot again (revocations stop).
 * Each is now BAD_USER_INPUT naming the field, and nothing is stored.
 */
import { beforeAll, expect, test } from "bun:test";
import { principalWith } from "../testing/principals.ts";
import { argumentRefusals, useTestControlPlane } from "../testing/test-control-plane.ts";
import { MAX_DEPLOYMENT_FLAGS, MAX_FEATURE_LIMITS, MAX_KEY_ALIASES, MAX_KEY_REGIONS, MAX_POLICY_ALIASES, MAX_POLICY_JURISDICTIONS } from "../graphql/list-bounds.ts";

const t = useTestControlPlane();
let tenantId: string;
beforeAll(async () => {
  await t.admin.request(`mutation { createRegion(input: { name: "eu" }) { token } }`);
  tenantId = (await t.admin.request<any>(`mutation { createTenant(input: { name: "acme" }) { id } }`)).createTenant.id;
});

async function snapshotBytes(): Promise<number> {
  const sql = t.openSql();
  const [row] = await sql<{ n: number }[]>`select length(jws) as n from snapshots where region = 'eu' order by version desc limit 1`;
  return row?.n ?? 0;
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const createKey = `mutation($i: CreateKeyInput!) { createKey(input: $i) { key { id } } }`;
const propose = `mutation($o: [ChangeOperationInput!]!) { proposeChange(input: { description: "d", operations: $o }) { id } }`;

test("a tenant admin's key with 60,000 allowedAliases is BAD_USER_INPUT, not stored and signed into every snapshot", async () => {
  const ta = await principalWith(t.admin, t.cp.url, "ta", [{ role: "tenant_admin", tenantId }]);
  const before = await snapshotBytes();
  const [got] = await argumentRefusals(t.cp.url, [["allowedAliases", ta.token, createKey, { i: { tenantId, name: "big", allowedAliases: names("a", 60_000) } }]]);
  expect(got).toEqual(["allowedAliases", 200, "BAD_USER_INPUT", true]);
  expect((await snapshotBytes()) - before).toBeLessThan(1_000);
}, 60_000);

test("each list is refused one past its bound, naming the field", async () => {
  const featureLimits = (n: number) => names("f", n).map((feature) => ({ feature, rpm: 1 }));
  const policy = (tenantPolicy: object) => ({ o: [{ op: "tenant.policy", id: tenantId, tenantPolicy }] });
  const deployment = { provider: "openai", baseUrl: "https://a.b/v1", model: "m", region: "eu", credentialRef: "env:K" };
  expect(
    await argumentRefusals(t.cp.url, [
      ["allowedAliases", t.adminToken, createKey, { i: { tenantId, name: "k", allowedAliases: names("a", MAX_KEY_ALIASES + 1) } }],
      ["allowedRegions", t.adminToken, createKey, { i: { tenantId, name: "k", allowedRegions: names("r", MAX_KEY_REGIONS + 1) } }],
      ["operations[0].tenantPolicy.allowedAliases", t.adminToken, propose, policy({ allowedAliases: names("a", MAX_POLICY_ALIASES + 1) })],
      ["operations[0].tenantPolicy.allowedJurisdictions", t.adminToken, propose, policy({ allowedJurisdictions: names("j", MAX_POLICY_JURISDICTIONS + 1) })],
      ["operations[0].tenantPolicy.featureLimits", t.adminToken, propose, policy({ featureLimits: featureLimits(MAX_FEATURE_LIMITS + 1) })],
      ["flags", t.adminToken, `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, { i: { ...deployment, flags: names("f", MAX_DEPLOYMENT_FLAGS + 1) } }],
      ["operations[0].deployment.flags", t.adminToken, propose, { o: [{ op: "deployment.create", deployment: { ...deployment, flags: names("f", MAX_DEPLOYMENT_FLAGS + 1) } }] }],
    ]),
  ).toEqual([
    ["allowedAliases", 200, "BAD_USER_INPUT", true],
    ["allowedRegions", 200, "BAD_USER_INPUT", true],
    ["operations[0].tenantPolicy.allowedAliases", 200, "BAD_USER_INPUT", true],
    ["operations[0].tenantPolicy.allowedJurisdictions", 200, "BAD_USER_INPUT", true],
    ["operations[0].tenantPolicy.featureLimits", 200, "BAD_USER_INPUT", true],
    ["flags", 200, "BAD_USER_INPUT", true],
    ["operations[0].deployment.flags", 200, "BAD_USER_INPUT", true],
  ]);
  const keys = await t.admin.request<any>(`{ keys(tenantId: "${tenantId}") { items { name } } }`);
  expect(keys.keys.items).toEqual([]);
}, 60_000);

test("a list at its bound is still taken", async () => {
  const r = await t.admin.request<any>(createKey, { i: { tenantId, name: "full", allowedAliases: names("a", MAX_KEY_ALIASES), allowedRegions: names("r", MAX_KEY_REGIONS) } });
  expect(r.createKey.key.id).toMatch(/^key_/);
  const featureLimits = names("f", MAX_FEATURE_LIMITS).map((feature) => ({ feature, rpm: 1 }));
  const p = await t.admin.request<any>(propose, { o: [{ op: "tenant.policy", id: tenantId, tenantPolicy: { featureLimits } }] });
  expect(p.proposeChange.id).toMatch(/^chg_/);
}, 60_000);
