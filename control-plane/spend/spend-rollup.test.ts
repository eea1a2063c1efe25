/** spend(tenantId) rolls up the subtree: an org sees its teams' and projects' spend, a project only its own. */
import { beforeAll, expect, test } from "bun:test";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { usageEventFor } from "../testing/usage-event.ts";
import { addKey } from "../testing/add-key.ts";
import { addTenant } from "../testing/add-tenant.ts";

const t = useTestControlPlane();
let s: Seeded;
beforeAll(async () => {
  s = await seedConfig(t.admin);
});

test("an org's spend includes its teams and projects; siblings and other orgs stay out", async () => {
  const org = await addTenant(t.admin, "r-org", null);
  const team = await addTenant(t.admin, "r-team", org);
  const project = await addTenant(t.admin, "r-project", team);
  const sibling = await addTenant(t.admin, "r-sibling", org);
  const now = new Date().toISOString();
  // Each tenant's usage on a key of its own, as a proxy books it.
  const event = async (i: number, tenantId: string, costMicros: number) =>
    usageEventFor(s, `evt_rollup_${i}`, { time: now, tenantId, keyId: tenantId === s.tenantId ? s.keyId : await addKey(t.admin, tenantId), costMicros });
  const events = [await event(1, org, 1), await event(2, team, 20), await event(3, project, 300), await event(4, sibling, 4000), await event(5, s.tenantId, 50000)];
  const response = await fetch(new URL("/internal/v1/usage", t.cp.url), {
    method: "POST",
    headers: { authorization: `Bearer ${s.euToken}`, "content-type": "application/json" },
    body: JSON.stringify({ events }),
  });
  expect(response.status).toBe(200);
  const spend = async (tenantId: string) =>
    (await t.admin.request<{ spend: { costMicros: string; requests: number } }>(
      `query($t: ID!) { spend(tenantId: $t, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { costMicros requests } }`,
      { t: tenantId },
    )).spend;
  expect(await spend(org)).toEqual({ costMicros: "4321", requests: 4 });
  expect(await spend(team)).toEqual({ costMicros: "320", requests: 2 });
  expect(await spend(project)).toEqual({ costMicros: "300", requests: 1 });
  expect(await spend(s.tenantId)).toEqual({ costMicros: "50000", requests: 1 });
});

test("token totals past 2^31 are reported exactly (GraphQL's Int would fail the query)", async () => {
  const tenant = await addTenant(t.admin, "r-big", null);
  const keyId = await addKey(t.admin, tenant);
  const now = new Date().toISOString();
  const big = (i: number) =>
    usageEventFor(s, `evt_big_${i}`, {
      time: now,
      tenantId: tenant,
      keyId,
      usage: { inputTokens: 1_500_000_000, outputTokens: 1_200_000_000, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      costMicros: 1,
    });
  const response = await fetch(new URL("/internal/v1/usage", t.cp.url), {
    method: "POST",
    headers: { authorization: `Bearer ${s.euToken}`, "content-type": "application/json" },
    body: JSON.stringify({ events: [big(1), big(2)] }),
  });
  expect(response.status).toBe(200);
  const { spend } = await t.admin.request<{ spend: { inputTokens: number; outputTokens: number; byModel: { inputTokens: number }[] } }>(
    `query($t: ID!) { spend(tenantId: $t, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { inputTokens outputTokens byModel { inputTokens } } }`,
    { t: tenant },
  );
  expect(spend).toEqual({ inputTokens: 3_000_000_000, outputTokens: 2_400_000_000, byModel: [{ inputTokens: 3_000_000_000 }] });
});

test("token totals past 2^53 stop at 2^53 - 1 instead of failing the spend query (cost stays exact)", async () => {
  const tenant = await addTenant(t.admin, "r-huge", null);
  const keyId = await addKey(t.admin, tenant);
  const now = new Date().toISOString();
  const response = await fetch(new URL("/internal/v1/usage", t.cp.url), {
    method: "POST",
    headers: { authorization: `Bearer ${s.euToken}`, "content-type": "application/json" },
    body: JSON.stringify({ events: [usageEventFor(s, "evt_huge_1", { time: now, tenantId: tenant, keyId, costMicros: 7 })] }),
  });
  expect(response.status).toBe(200);
  // Events each within MAX_EVENT_TOKENS would take ~900,000 rows to pass 2^53: two rows written
  // straight into the ledger stand for them.
  const sql = t.openSql();
  await sql`update usage_events set input_tokens = ${Number.MAX_SAFE_INTEGER}, output_tokens = ${Number.MAX_SAFE_INTEGER} where event_id = 'evt_huge_1'`;
  await sql`insert into usage_events select (jsonb_populate_record(u, '{"event_id": "evt_huge_2"}')).* from usage_events u where event_id = 'evt_huge_1'`;
  const { spend } = await t.admin.request<{ spend: { requests: number; inputTokens: number; outputTokens: number; costMicros: string; byDay: { inputTokens: number }[] } }>(
    `query($t: ID!) { spend(tenantId: $t, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { requests inputTokens outputTokens costMicros byDay { inputTokens } } }`,
    { t: tenant },
  );
  expect(spend).toEqual({ requests: 2, inputTokens: Number.MAX_SAFE_INTEGER, outputTokens: Number.MAX_SAFE_INTEGER, costMicros: "14", byDay: [{ inputTokens: Number.MAX_SAFE_INTEGER }] });
});

test("a range without usage answers 0 tokens, not the 2^53 - 1 ceiling (least() skips a null sum)", async () => {
  const tenant = await addTenant(t.admin, "r-empty", null);
  const { spend } = await t.admin.request<{ spend: { requests: number; inputTokens: number; outputTokens: number; costMicros: string } }>(
    `query($t: ID!) { spend(tenantId: $t, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { requests inputTokens outputTokens costMicros } }`,
    { t: tenant },
  );
  expect(spend).toEqual({ requests: 0, inputTokens: 0, outputTokens: 0, costMicros: "0" });
});
