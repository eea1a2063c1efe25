/**
 * spend.byFeature and spend.byKey: what each `X-Feature-Id` and each gateway key cost, summed over the
 * tenant's subtree like byModel, readable by the same roles. Before, the proxy booked feature_id on every
 * event but no query reported it, so a tenant could not see what a feature cost.
 */
import { expect, test } from "bun:test";
import { addKey } from "../testing/add-key.ts";
import { addTenant } from "../testing/add-tenant.ts";
import { errorCode, principalWith } from "../testing/principals.ts";
import { useUsageIngest } from "../usage/use-usage-ingest.ts";

const ingest = useUsageIngest();

interface Group {
  key: string;
  name: string | null;
  requests: number;
  costMicros: string;
}
interface Answer {
  costMicros: string;
  byFeature: Group[];
  byKey: Group[];
}

const QUERY = `query($t: ID!) { spend(tenantId: $t, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") {
  costMicros byFeature { key name requests costMicros } byKey { key name requests costMicros } } }`;

/** Groups in key order (the database's collation orders "(none)" among the ids as it likes). */
const byKeyText = (groups: Group[]) => [...groups].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
const sorted = (a: Answer): Answer => ({ ...a, byFeature: byKeyText(a.byFeature), byKey: byKeyText(a.byKey) });

/** An org and its team, each with a key, booking two features and none; another org's usage stays out. */
async function orgWithFeatureUsage(): Promise<{ org: string; team: string; orgKey: string; teamKey: string }> {
  const org = await addTenant(ingest.t.admin, "feat-org", null);
  const team = await addTenant(ingest.t.admin, "feat-team", org);
  const orgKey = await addKey(ingest.t.admin, org, { name: "org-backend" });
  const teamKey = await addKey(ingest.t.admin, team, { name: "team-web" });
  const at = (id: string, tenantId: string, keyId: string, featureId: string | null, costMicros: number) =>
    ingest.event(`evt_feat_${id}`, { time: new Date().toISOString(), tenantId, keyId, featureId, costMicros });
  const response = await ingest.post({
    events: [
      at("1", org, orgKey, "checkout-assistant", 1),
      at("2", org, orgKey, null, 20),
      at("3", team, teamKey, "checkout-assistant", 300),
      at("4", team, teamKey, "support-bot", 4000),
      at("5", team, teamKey, null, 50000),
      // Another org's usage of the same feature id is not this org's.
      at("6", ingest.s.tenantId, ingest.s.keyId, "support-bot", 600000),
    ],
  });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { accepted: number }).accepted).toBe(6);
  return { org, team, orgKey, teamKey };
}

test("byFeature and byKey sum the org's whole subtree; events without a feature group under (none); a team admin sees only the team's", async () => {
  const { org, team, orgKey, teamKey } = await orgWithFeatureUsage();
  const { spend } = await ingest.t.admin.request<{ spend: Answer }>(QUERY, { t: org });
  expect(sorted(spend)).toEqual({
    costMicros: "54321",
    byFeature: [
      { key: "(none)", name: null, requests: 2, costMicros: "50020" },
      { key: "checkout-assistant", name: null, requests: 2, costMicros: "301" },
      { key: "support-bot", name: null, requests: 1, costMicros: "4000" },
    ],
    byKey: byKeyText([
      { key: orgKey, name: "org-backend", requests: 2, costMicros: "21" },
      { key: teamKey, name: "team-web", requests: 3, costMicros: "54300" },
    ]),
  });

  const teamAdmin = await principalWith(ingest.t.admin, ingest.t.cp.url, "feat-team-admin", [{ role: "tenant_admin", tenantId: team }]);
  const own = await teamAdmin.client.request<{ spend: Answer }>(QUERY, { t: team });
  expect(sorted(own.spend)).toEqual({
    costMicros: "54300",
    byFeature: [
      { key: "(none)", name: null, requests: 1, costMicros: "50000" },
      { key: "checkout-assistant", name: null, requests: 1, costMicros: "300" },
      { key: "support-bot", name: null, requests: 1, costMicros: "4000" },
    ],
    byKey: [{ key: teamKey, name: "team-web", requests: 3, costMicros: "54300" }],
  });
  // The org above the team is outside its subtree: answered as a missing tenant, as for byModel.
  expect(await errorCode(teamAdmin.client.request(QUERY, { t: org }))).toBe("NOT_FOUND");

  // Finance reads the groups; a viewer is refused them as it is refused byModel.
  const finance = await principalWith(ingest.t.admin, ingest.t.cp.url, "feat-finance", [{ role: "finance" }]);
  expect(sorted((await finance.client.request<{ spend: Answer }>(QUERY, { t: org })).spend)).toEqual(sorted(spend));
  const viewer = await principalWith(ingest.t.admin, ingest.t.cp.url, "feat-viewer", [{ role: "viewer" }]);
  expect(await errorCode(viewer.client.request(QUERY, { t: org }))).toBe("FORBIDDEN");
  expect(await errorCode(viewer.client.request(`query($t: ID!) { spend(tenantId: $t, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { byModel { key } } }`, { t: org }))).toBe("FORBIDDEN");
});

test("byKey names only keys of the queried subtree: a ledger row on another org's key shows its id, not its name", async () => {
  const org = await addTenant(ingest.t.admin, "feat-stray", null);
  const keyId = await addKey(ingest.t.admin, org, { name: "stray-own" });
  const response = await ingest.post({ events: [ingest.event("evt_feat_stray", { time: new Date().toISOString(), tenantId: org, keyId, costMicros: 5 })] });
  expect(response.status).toBe(200);
  // Ingest refuses a key under another tenant; a row written straight into the ledger stands for one
  // booked before that check.
  await ingest.sql`update usage_events set key_id = ${ingest.s.keyId} where event_id = 'evt_feat_stray'`;
  const { spend } = await ingest.t.admin.request<{ spend: Answer }>(QUERY, { t: org });
  expect(spend.byKey).toEqual([{ key: ingest.s.keyId, name: null, requests: 1, costMicros: "5" }]);
});
