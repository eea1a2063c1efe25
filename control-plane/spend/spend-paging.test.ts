/**
 * spend pages through byModel, byFeature and byKey with `skip`: ranks skip + 1 to skip + top by cost,
 * then "(other)" summing every group not listed, before the page and after it. Before, only the `top`
 * (at most 1000) costliest groups could be read: past 1000 features or keys, the others' spend was only
 * inside "(other)", so per-feature or per-key chargeback was impossible through the API.
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
  byFeature: Group[];
}

const RANGE = `from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z"`;
const page = async (tenantId: string, top: number, skip: number) =>
  (
    await ingest.t.admin.request<{ spend: Answer }>(
      `query($t: ID!, $top: Int, $skip: Int) { spend(tenantId: $t, ${RANGE}, top: $top, skip: $skip) { requests costMicros byFeature { key groups requests costMicros } } }`,
      { t: tenantId, top, skip },
    )
  ).spend;
const sum = (groups: Group[]) => ({
  requests: groups.reduce((n, g) => n + g.requests, 0),
  costMicros: String(groups.reduce((n, g) => n + BigInt(g.costMicros), 0n)),
});
const feature = (i: number) => `f-${String(i).padStart(4, "0")}`;

/** A tenant with `count` features; feature i costs i + 1 micro-USD (so f-0000 is the cheapest). */
async function tenantWithFeatures(name: string, count: number): Promise<string> {
  const tenant = await addTenant(ingest.t.admin, name, null);
  const keyId = await addKey(ingest.t.admin, tenant, { name: "k" });
  const events = Array.from({ length: count }, (_, i) =>
    ingest.event(`evt_page_${name}_${i}`, { time: new Date().toISOString(), tenantId: tenant, keyId, featureId: feature(i), costMicros: i + 1 }),
  );
  for (let i = 0; i < events.length; i += 500) {
    const response = await ingest.post({ events: events.slice(i, i + 500) });
    expect([response.status, ((await response.json()) as { accepted: number }).accepted]).toEqual([200, Math.min(500, count - i)]);
  }
  return tenant;
}

test("paging through 1,001 features in pages of 1000 reaches every feature exactly once, and each page adds up to the total", async () => {
  const tenant = await tenantWithFeatures("many", 1001);
  const total = { requests: 1001, costMicros: String((1001 * 1002) / 2) };
  const listed: string[] = [];
  for (const skip of [0, 1000]) {
    const spend = await page(tenant, 1000, skip);
    expect({ requests: spend.requests, costMicros: spend.costMicros }).toEqual(total);
    expect(sum(spend.byFeature)).toEqual(total);
    const other = spend.byFeature.filter((g) => g.key === "(other)");
    const groups = spend.byFeature.filter((g) => g.key !== "(other)");
    // "(other)" holds exactly the groups this page does not list.
    expect(other.map((g) => g.groups)).toEqual([1001 - groups.length]);
    listed.push(...groups.map((g) => g.key));
  }
  expect([...listed].sort()).toEqual(Array.from({ length: 1001 }, (_, i) => feature(i)));
  // The cheapest feature, once only inside "(other)", is read on the second page.
  expect((await page(tenant, 1000, 1000)).byFeature).toEqual([
    { key: "f-0000", groups: 1, requests: 1, costMicros: "1" },
    { key: "(other)", groups: 1000, requests: 1000, costMicros: "501500" },
  ]);
}, 60_000);

test("a middle page folds the groups before and after it into (other); past the last group only (other) is left", async () => {
  const tenant = await tenantWithFeatures("few", 5);
  // Ranks by cost: f-0004, f-0003, f-0002, f-0001, f-0000; skip 1, top 2 lists f-0003 and f-0002, in key order.
  expect((await page(tenant, 2, 1)).byFeature).toEqual([
    { key: "f-0002", groups: 1, requests: 1, costMicros: "3" },
    { key: "f-0003", groups: 1, requests: 1, costMicros: "4" },
    { key: "(other)", groups: 3, requests: 3, costMicros: "8" },
  ]);
  expect((await page(tenant, 2, 5)).byFeature).toEqual([{ key: "(other)", groups: 5, requests: 5, costMicros: "15" }]);
  expect((await page(tenant, 1000, 2147483647)).byFeature).toEqual([{ key: "(other)", groups: 5, requests: 5, costMicros: "15" }]);
});

test("skip is an integer, 0 or more; anything else is refused naming it", async () => {
  const refusal = (skip: number) =>
    firstGraphQLError(
      ingest.t.cp.url,
      ingest.t.adminToken,
      JSON.stringify({ query: `query($skip: Int) { spend(tenantId: "ten_x", ${RANGE}, skip: $skip) { requests } }`, variables: { skip } }),
    );
  expect(await refusal(-1)).toMatchObject({ code: "BAD_USER_INPUT", message: "skip: must be an integer, 0 or more" });
  // Not an Int: refused by GraphQL's own coercion, naming the variable.
  expect(await refusal(1.5)).toMatchObject({ code: "BAD_USER_INPUT" });
});
