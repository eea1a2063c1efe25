import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { LEASES_PATH } from "../../shared/leases/lease-wire.ts";
import { errorCode, principalWith } from "../testing/principals.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";
import { periodLabels } from "../../shared/time/local-date.ts";
import { clearOfDayEnd } from "../../test/support/clear-of-day-end.ts";

let t: TestControlPlane;
let sql: postgres.Sql;
let token: string;
let org: string;
let team: string;
let other: string;
let keyId: string;

beforeAll(async () => {
  t = await startTestControlPlane();
  sql = postgres(t.db.url, { max: 1, onnotice: () => {} });
  token = (await t.admin.request<{ createRegion: { token: string } }>(`mutation { createRegion(input: { name: "eu" }) { token } }`)).createRegion.token;
  const create = async (name: string, parentId?: string) =>
    (await t.admin.request<{ createTenant: { id: string } }>(`mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }`, { i: { name, parentId } })).createTenant.id;
  org = await create("org");
  team = await create("team", org);
  other = await create("other");
  // Caps written directly (this file tests the queries, not the change requests that set them).
  await sql`update tenants set daily_budget_micros = 1000000, time_zone = 'Europe/Berlin' where id = ${org}`;
  const { createKey } = await t.admin.request<{ createKey: { key: { id: string } } }>(
    `mutation($t: ID!) { createKey(input: { tenantId: $t, name: "k", rpm: 60, dailyBudgetUsd: 0.5 }) { key { id } } }`,
    { t: team },
  );
  keyId = createKey.key.id;
  // The events are booked at the database's now() and the first two tests read the org's current day
  // (Berlin's) as budgetStatus answers it: across Berlin's midnight the spend they expect is yesterday's.
  await clearOfDayEnd(20_000, "Europe/Berlin");
  for (let i = 0; i < 3; i++) {
    await sql`insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
        input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
      values (${`evt_${i}`}, now(), 'req_x', 'eu', 1, ${team}, ${keyId}, 'chat', 'chat', false, 6, 4, 0, 0, 0, 1000, 5, 'ok', 1)`;
  }
}, 60_000);

afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await t?.close();
});

test("budgetStatus: ledger spend of the subtree, the region's unspent lease as reserved, remaining, the org's period end", async () => {
  const day = periodLabels(new Date(), "Europe/Berlin").day;
  const lease = await fetch(new URL(LEASES_PATH, t.cp.url), {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ leases: [{ scope: `ten:${org}`, period: day, spentMicros: 3000 }] }),
  }).then((r) => r.json() as Promise<{ grants: { grantedMicros: number }[] }>);
  const granted = lease.grants[0]!.grantedMicros;
  expect(granted).toBe(3000 + 50_000);
  const { budgetStatus } = await t.admin.request<{ budgetStatus: { levels: Record<string, unknown>[] } }>(
    `query($t: ID!) { budgetStatus(tenantId: $t) { levels { scope period capMicros spentMicros reservedMicros remainingMicros remainingUsd timeZone periodEnd regions { region grantedMicros spentMicros } } } }`,
    { t: org },
  );
  expect(budgetStatus.levels).toHaveLength(1);
  const level = budgetStatus.levels[0]!;
  expect(level).toMatchObject({ scope: `ten:${org}`, period: day, capMicros: "1000000", spentMicros: "3000", reservedMicros: "50000", remainingMicros: "947000", remainingUsd: 0.947, timeZone: "Europe/Berlin" });
  expect(level.regions).toEqual([{ region: "eu", grantedMicros: String(granted), spentMicros: "3000" }]);
  // The period ends at the next midnight in Berlin: within a day, on a whole hour in UTC.
  const end = new Date(level.periodEnd as string).getTime();
  expect(end - Date.now()).toBeGreaterThan(0);
  expect(end - Date.now()).toBeLessThanOrEqual(86_400_000);
  expect(end % 3_600_000).toBe(0);
  const { budgetStatus: usage } = await t.admin.request<{ budgetStatus: Record<string, unknown> }>(`query($t: ID!) { budgetStatus(tenantId: $t) { rpm tpm requestsLastMinute tokensLastMinute } }`, { t: org });
  expect(usage).toEqual({ rpm: null, tpm: null, requestsLastMinute: 3, tokensLastMinute: 30 });
  // A tenant without a cap of its own has no levels.
  expect((await t.admin.request<{ budgetStatus: { levels: unknown[] } }>(`query($t: ID!) { budgetStatus(tenantId: $t) { levels { scope } } }`, { t: team })).budgetStatus.levels).toEqual([]);
});

test("limitStatus: the key's limits, last-minute usage from the ledger, and its own budget", async () => {
  const { limitStatus } = await t.admin.request<{ limitStatus: Record<string, unknown> & { budgets: Record<string, unknown>[] } }>(
    `query($k: ID!) { limitStatus(keyId: $k) { keyId tenantId rpm tpm requestsLastMinute tokensLastMinute budgets { scope capMicros spentMicros } } }`,
    { k: keyId },
  );
  expect(limitStatus).toMatchObject({ keyId, tenantId: team, rpm: 60, tpm: null, requestsLastMinute: 3, tokensLastMinute: 30 });
  expect(limitStatus.budgets).toEqual([{ scope: `key:${keyId}`, capMicros: "500000", spentMicros: "3000" }]);
});

test("outside a tenant admin's subtree, status and alerts answer NOT_FOUND; finance reads them", async () => {
  const outsider = await principalWith(t.admin, t.cp.url, "outsider", [{ role: "tenant_admin", tenantId: other }]);
  expect(await errorCode(outsider.client.request(`query($t: ID!) { budgetStatus(tenantId: $t) { tenantId } }`, { t: org }))).toBe("NOT_FOUND");
  expect(await errorCode(outsider.client.request(`query($k: ID!) { limitStatus(keyId: $k) { keyId } }`, { k: keyId }))).toBe("NOT_FOUND");
  expect(await errorCode(outsider.client.request(`query($t: ID!) { budgetAlerts(tenantId: $t) { id } }`, { t: org }))).toBe("NOT_FOUND");
  const finance = await principalWith(t.admin, t.cp.url, "fin", [{ role: "finance" }]);
  const { budgetAlerts } = await finance.client.request<{ budgetAlerts: unknown[] }>(`query($t: ID!) { budgetAlerts(tenantId: $t) { id } }`, { t: org });
  expect(budgetAlerts).toEqual([]);
  expect(await errorCode(t.admin.request(`query { limitStatus(keyId: "key_nope") { keyId } }`))).toBe("NOT_FOUND");
});

test("tokensLastMinute past 2^31 (one event of 3e9 tokens) is answered exactly, and past 2^53 saturates, instead of failing the query", async () => {
  const big = (await t.admin.request<{ createTenant: { id: string } }>(`mutation { createTenant(input: { name: "big" }) { id } }`)).createTenant.id;
  const { createKey } = await t.admin.request<{ createKey: { key: { id: string } } }>(`mutation($t: ID!) { createKey(input: { tenantId: $t, name: "big" }) { key { id } } }`, { t: big });
  const bigKey = createKey.key.id;
  const usage = async (id: string, inputTokens: number, outputTokens: number) =>
    sql`insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
        input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
      values (${id}, now(), 'req_x', 'eu', 1, ${big}, ${bigKey}, 'chat', 'chat', false, ${inputTokens}, ${outputTokens}, 0, 0, 0, 1000, 5, 'ok', 1)`;
  const read = async () => {
    const { budgetStatus } = await t.admin.request<{ budgetStatus: { tokensLastMinute: number } }>(`query($t: ID!) { budgetStatus(tenantId: $t) { tokensLastMinute } }`, { t: big });
    const { limitStatus } = await t.admin.request<{ limitStatus: { tokensLastMinute: number } }>(`query($k: ID!) { limitStatus(keyId: $k) { tokensLastMinute } }`, { k: bigKey });
    return [budgetStatus.tokensLastMinute, limitStatus.tokensLastMinute];
  };
  await usage("evt_big_tokens", 3e9, 7);
  expect(await read()).toEqual([3e9 + 7, 3e9 + 7]);
  // Each count a safe integer, their sum not: the figure stops at 2^53 - 1, still exact.
  await usage("evt_huge_tokens", Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  expect(await read()).toEqual([Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
});

test("an event dated in the future (a proxy's clock ahead) does not count in the last minute until its time comes", async () => {
  const before = await t.admin.request<{ limitStatus: { requestsLastMinute: number; tokensLastMinute: number } }>(`query($k: ID!) { limitStatus(keyId: $k) { requestsLastMinute tokensLastMinute } }`, { k: keyId });
  await sql`insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
      input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
    values ('evt_future', now() + interval '1 hour', 'req_x', 'eu', 1, ${team}, ${keyId}, 'chat', 'chat', false, 600, 400, 0, 0, 0, 1000, 5, 'ok', 1)`;
  const after = await t.admin.request<{ limitStatus: { requestsLastMinute: number; tokensLastMinute: number } }>(`query($k: ID!) { limitStatus(keyId: $k) { requestsLastMinute tokensLastMinute } }`, { k: keyId });
  expect(after).toEqual(before);
  const tenant = await t.admin.request<{ budgetStatus: { requestsLastMinute: number } }>(`query($t: ID!) { budgetStatus(tenantId: $t) { requestsLastMinute } }`, { t: team });
  expect(tenant.budgetStatus.requestsLastMinute).toBe(before.limitStatus.requestsLastMinute);
});
