/**
 * spend's open-ended group lists (byModel, byFeature, byKey) are bounded: the `top` groups by cost
 * (default 100, at most 1000) and one "(other)" row summing the rest, so the lists still add up to the
 * total. Before, byFeature answered one row per distinct X-Feature-Id a client ever sent (80,001 rows,
 * 4.5 MB for one busy tenant's month).
 */
import { expect, test } from "bun:test";
import { addKey } from "../testing/add-key.ts";
import { addTenant } from "../testing/add-tenant.ts";
import { firstGraphQLError } from "../testing/test-control-plane.ts";
import { useUsageIngest } from "../usage/use-usage-ingest.ts";

const ingest = useUsageIngest();

interface Group {
  key: string;
  groups: number;
  requests: number;
  costMicros: string;
}
interface Answer {
  requests: number;
  costMicros: string;
  byModel: Group[];
  byFeature: Group[];
  byKey: Group[];
}

const FIELDS = `requests costMicros byModel { key groups requests costMicros } byFeature { key groups requests costMicros } byKey { key groups requests costMicros }`;
const spendOf = async (tenantId: string, top?: number) =>
  (
    await ingest.t.admin.request<{ spend: Answer }>(
      top === undefined
        ? `query($t: ID!) { spend(tenantId: $t, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { ${FIELDS} } }`
        : `query($t: ID!, $top: Int) { spend(tenantId: $t, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z", top: $top) { ${FIELDS} } }`,
      { t: tenantId, ...(top === undefined ? {} : { top }) },
    )
  ).spend;
const sum = (groups: Group[]) => ({
  requests: groups.reduce((n, g) => n + g.requests, 0),
  costMicros: String(groups.reduce((n, g) => n + BigInt(g.costMicros), 0n)),
});

/** A tenant with `features` features (feature i costs i + 1 micro-USD per request) on three keys. */
async function tenantWithFeatures(name: string, features: number): Promise<{ tenant: string; keys: string[] }> {
  const tenant = await addTenant(ingest.t.admin, name, null);
  const keys = [await addKey(ingest.t.admin, tenant, { name: "a" }), await addKey(ingest.t.admin, tenant, { name: "b" }), await addKey(ingest.t.admin, tenant, { name: "c" })];
  const events = Array.from({ length: features }, (_, i) =>
    ingest.event(`evt_top_${name}_${i}`, { time: new Date().toISOString(), tenantId: tenant, keyId: keys[i % 3], featureId: `f-${String(i).padStart(3, "0")}`, costMicros: i + 1 }),
  );
  const response = await ingest.post({ events });
  expect(response.status).toBe(200);
  return { tenant, keys };
}

test("top: n answers the n costliest groups and one (other) row summing the rest, so every list adds up to the total", async () => {
  const { tenant, keys } = await tenantWithFeatures("top-small", 5);
  const spend = await spendOf(tenant, 2);
  expect(spend.byFeature).toEqual([
    { key: "f-003", groups: 1, requests: 1, costMicros: "4" },
    { key: "f-004", groups: 1, requests: 1, costMicros: "5" },
    { key: "(other)", groups: 3, requests: 3, costMicros: "6" },
  ]);
  // Keys: a has features 0 and 3 (1 + 4), b 1 and 4 (2 + 5), c 2 (3).
  // Kept groups come in key order (key ids are random, so not creation order), "(other)" last.
  const kept = [
    { key: keys[0]!, groups: 1, requests: 2, costMicros: "5" },
    { key: keys[1]!, groups: 1, requests: 2, costMicros: "7" },
  ].sort((a, b) => (a.key < b.key ? -1 : 1));
  expect(spend.byKey).toEqual([...kept, { key: "(other)", groups: 1, requests: 1, costMicros: "3" }]);
  for (const list of [spend.byModel, spend.byFeature, spend.byKey]) expect(sum(list)).toEqual({ requests: spend.requests, costMicros: spend.costMicros });
  // Within the bound: no (other) row.
  expect((await spendOf(tenant, 5)).byFeature.map((g) => [g.key, g.groups])).toEqual([["f-000", 1], ["f-001", 1], ["f-002", 1], ["f-003", 1], ["f-004", 1]]);
});

test("without top, 100 groups and (other); top is an integer from 1 to 1000, anything else refused naming it", async () => {
  const { tenant } = await tenantWithFeatures("top-default", 103);
  const spend = await spendOf(tenant);
  expect(spend.byFeature).toHaveLength(101);
  expect(spend.byFeature.at(-1)).toEqual({ key: "(other)", groups: 3, requests: 3, costMicros: "6" });
  expect(spend.byFeature[0]).toEqual({ key: "f-003", groups: 1, requests: 1, costMicros: "4" });
  expect(sum(spend.byFeature)).toEqual({ requests: 103, costMicros: spend.costMicros });
  expect((await spendOf(tenant, 1000)).byFeature).toHaveLength(103);
  for (const top of [0, -1, 1001]) {
    const r = await firstGraphQLError(
      ingest.t.cp.url,
      ingest.t.adminToken,
      JSON.stringify({ query: `query($t: ID!, $top: Int) { spend(tenantId: $t, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z", top: $top) { requests } }`, variables: { t: tenant, top } }),
    );
    expect([top, r.code, r.message]).toEqual([top, "BAD_USER_INPUT", "top: must be an integer from 1 to 1000"]);
  }
});
