import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { LEASES_PATH, type LeaseAnswer } from "../../shared/leases/lease-wire.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";
import { DEFAULT_LEASE_POLICY } from "./grant-lease.ts";
import { serveLease } from "./serve-lease.ts";

let t: TestControlPlane;
let sql: postgres.Sql;
const tokens: Record<string, string> = {};
let org: string;
let team: string;

async function usage(region: string, tenantId: string, time: string, costMicros: number): Promise<void> {
  await sql`insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
      input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
    values (${`evt_${crypto.randomUUID()}`}, ${time}, 'req_x', ${region}, 1, ${tenantId}, 'key_x', 'chat', 'chat', false, 1, 1, 0, 0, 0, ${costMicros}, 5, 'ok', 1)`;
}

async function ask(region: string | null, body: unknown): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (region) headers.authorization = `Bearer ${tokens[region]}`;
  const response = await fetch(new URL(LEASES_PATH, t.cp.url), { method: "POST", headers, body: typeof body === "string" || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

beforeAll(async () => {
  t = await startTestControlPlane();
  sql = postgres(t.db.url, { max: 2, onnotice: () => {} });
  for (const name of ["eu", "us"]) {
    const { createRegion } = await t.admin.request<{ createRegion: { token: string } }>(`mutation($n: String!) { createRegion(input: { name: $n }) { token } }`, { n: name });
    tokens[name] = createRegion.token;
  }
  org = (await t.admin.request<{ createTenant: { id: string } }>(`mutation { createTenant(input: { name: "org" }) { id } }`)).createTenant.id;
  team = (await t.admin.request<{ createTenant: { id: string } }>(`mutation($p: ID!) { createTenant(input: { name: "team", parentId: $p, kind: "team" }) { id } }`, { p: org })).createTenant.id;
  // A key every region's snapshot carries: a region is granted a share only of levels it serves a key of (lease.security.test.ts).
  await t.admin.request(`mutation($t: ID!) { createKey(input: { tenantId: $t, name: "k" }) { key { id } } }`, { t: team });
  // Caps written directly: this file tests the endpoint, not the change-request flow that sets them.
  await sql`update tenants set daily_budget_micros = 1000000, time_zone = 'America/New_York' where id = ${org}`;
}, 20_000);

afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await t?.close();
});

test("refuses a missing token, a wrong method and a malformed body, naming the field", async () => {
  expect((await ask(null, { leases: [] })).status).toBe(401);
  expect((await fetch(new URL(LEASES_PATH, t.cp.url), { headers: { authorization: `Bearer ${tokens.eu}` } })).status).toBe(405);
  expect((await ask("eu", "{not json")).json.error.code).toBe("invalid_json");
  // A scope holding the byte 0xFF, never UTF-8: refused whole, not read as U+FFFD.
  const notUtf8 = Buffer.from(JSON.stringify({ leases: [{ scope: "ten:#", period: "day:2026-11-25", spentMicros: 0 }] }));
  notUtf8[notUtf8.indexOf("#")] = 0xff;
  expect(await ask("eu", notUtf8)).toEqual({ status: 400, json: { error: { code: "invalid_json", message: "body is not valid UTF-8" } } });
  const bad = await ask("eu", { leases: [{ scope: `ten:${org}`, period: "week:2026-48", spentMicros: 0 }] });
  expect(bad.status).toBe(400);
  expect(bad.json.error.message).toContain("leases[0].period");
  expect((await ask("eu", { leases: [{ scope: `ten:${org}`, period: "day:2026-11-25", spentMicros: -1 }] })).json.error.message).toContain("spentMicros");
});

test("a scope with a NUL or control character, a lone surrogate or a period that is no real date gets a 400 naming the field, and no lease is saved", async () => {
  const scope = `ten:${org}`;
  const bad: [string, Record<string, unknown>][] = [
    ["scope", { scope: "ten:\u0000", period: "day:2026-11-25" }],
    ["scope", { scope: `${scope}\u0000`, period: "day:2026-11-25" }],
    ["scope", { scope: "ten:\ud800", period: "day:2026-11-25" }],
    ["scope", { scope: `${scope}\n`, period: "day:2026-11-25" }],
    ["period", { scope, period: "day:9999-99-99" }],
    ["period", { scope, period: "month:9999-99" }],
    ["period", { scope, period: "day:2024-13-45" }],
    ["period", { scope, period: "day:2026-02-29" }],
    ["period", { scope, period: "day:0000-00-00" }],
    ["period", { scope, period: "month:0000-00" }],
    ["period", { scope, period: "month:2026-00" }],
  ];
  for (const [field, level] of bad) {
    const answer = await ask("eu", { leases: [{ ...level, spentMicros: 0 }] });
    expect([level, answer.status, answer.json.error?.code]).toEqual([level, 400, "invalid_request"]);
    expect(answer.json.error.message).toContain(`leases[0].${field}`);
  }
  const [saved] = await sql`select count(*)::int as n from budget_leases where period in ('day:2024-13-45', 'day:2026-02-29', 'day:9999-99-99', 'month:9999-99')`;
  expect(saved!.n).toBe(0);
  // Real dates at the edges of a month still lease: 29 February of a leap year, 31 December.
  for (const period of ["day:2028-02-29", "day:2026-12-31", "month:2026-12"]) {
    const answer = await ask("eu", { leases: [{ scope, period, spentMicros: 0 }] });
    expect([period, answer.status]).toEqual([period, 200]);
  }
});

test("levels without a control-plane cap are not managed", async () => {
  const { json } = await ask("eu", { leases: [{ scope: `ten:${team}`, period: "day:2026-11-25", spentMicros: 0 }, { scope: "key:key_nope", period: "day:2026-11-25", spentMicros: 0 }] });
  expect(json.grants).toEqual([
    { scope: `ten:${team}`, period: "day:2026-11-25", managed: false },
    { scope: "key:key_nope", period: "day:2026-11-25", managed: false },
  ]);
});

test("the ledger of the whole subtree, in the org's time zone, is reported per region with a version", async () => {
  // 03:00 UTC on the 26th is still the 25th in New York; 06:00 UTC on the 26th is not.
  await usage("eu", team, "2026-11-26T03:00:00Z", 100_000);
  await usage("eu", org, "2026-11-25T12:00:00Z", 50_000);
  await usage("eu", team, "2026-11-26T06:00:00Z", 7_000);
  await usage("us", org, "2026-11-25T13:00:00Z", 200_000);
  const { json } = (await ask("eu", { leases: [{ scope: `ten:${org}`, period: "day:2026-11-25", spentMicros: 140_000 }] })) as { json: LeaseAnswer };
  const grant = json.grants[0]!;
  if (!grant.managed) throw new Error("expected a managed level");
  expect(grant.ledgerSpentMicros).toBe(150_000);
  expect(grant.ledgerVersion).toBe(2);
  expect(grant.capMicros).toBe(1_000_000);
  // Nothing held yet: eu gets its spend plus the floor (5% of the cap).
  expect(grant.grantedMicros).toBe(150_000 + 50_000);
  expect(Date.parse(grant.expiresAt)).toBeGreaterThan(Date.now());
  // The life is also stated relative, so a proxy times it on its own clock.
  expect(grant.ttlMs).toBe(DEFAULT_LEASE_POLICY.ttlMs);
});

test("regions asking at once never hold more than the cap between them", async () => {
  const period = "day:2026-11-20";
  const asks = Array.from({ length: 10 }, (_, i) => ask(i % 2 ? "us" : "eu", { leases: [{ scope: `ten:${org}`, period, spentMicros: 0, needMicros: 700_000 }] }));
  const answers = (await Promise.all(asks)).map((a) => (a.json as LeaseAnswer).grants[0]!);
  const rows = await sql<{ region: string; granted: string }[]>`select region, granted_micros::text as granted from budget_leases where scope = ${`ten:${org}`} and period = ${period}`;
  expect(rows.reduce((sum, r) => sum + Number(r.granted), 0)).toBe(1_000_000);
  // Once everything is leased out, the answers say the lease cannot grow.
  expect(answers.some((a) => a.managed && a.exhausted)).toBe(true);
  for (const a of answers) if (a.managed) expect(a.grantedMicros).toBeLessThanOrEqual(1_000_000);
});

test("crossing 80% of the cap writes one alert row for the level and period", async () => {
  const period = "day:2026-11-21";
  await usage("eu", org, "2026-11-21T15:00:00Z", 850_000);
  await ask("eu", { leases: [{ scope: `ten:${org}`, period, spentMicros: 850_000 }] });
  await ask("us", { leases: [{ scope: `ten:${org}`, period, spentMicros: 0 }] });
  const alerts = await sql<{ scope: string; spent: string }[]>`select scope, spent_micros::text as spent from budget_alerts where period = ${period}`;
  expect([...alerts]).toEqual([{ scope: `ten:${org}`, spent: "850000" }]);
});

test("an expired lease's unused part is released once its grace has passed and its region asks again, reporting its spend", async () => {
  const policy = { ...DEFAULT_LEASE_POLICY, ttlMs: 1000, reclaimGraceMs: 1000 };
  // Set an hour ahead: eu asked for leases at the real time in the tests above, which would be eu heard
  // from after this lease lapsed on a clock set in the past (region-heard.repo.ts).
  const start = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_000);
  const period = `day:${start.toISOString().slice(0, 10)}`;
  const scope = `ten:${org}`;
  const eu = await serveLease(sql, "eu", { scope, period, spentMicros: 0, needMicros: 900_000 }, policy, start);
  expect(eu).toMatchObject({ managed: true, grantedMicros: 900_000, expiresAt: new Date(start.getTime() + 1000).toISOString(), ttlMs: 1000 });
  // While eu's lease is live (or within its grace), us can get only what is left.
  const early = await serveLease(sql, "us", { scope, period, spentMicros: 0, needMicros: 500_000 }, policy, new Date(start.getTime() + 1500));
  expect(early).toMatchObject({ grantedMicros: 100_000, exhausted: true });
  // Past expiry + grace eu still holds its grant: silent, it may have spent all of it (expired-lease-held.test.ts).
  const silent = await serveLease(sql, "us", { scope, period, spentMicros: 0, needMicros: 500_000 }, policy, new Date(start.getTime() + 2500));
  expect(silent).toMatchObject({ grantedMicros: 100_000, exhausted: true });
  // eu asks again reporting it spent nothing: its unused part is released, and us may grow into the rest.
  await serveLease(sql, "eu", { scope, period, spentMicros: 0 }, policy, new Date(start.getTime() + 2600));
  const later = await serveLease(sql, "us", { scope, period, spentMicros: 0, needMicros: 500_000 }, policy, new Date(start.getTime() + 2700));
  expect(later).toMatchObject({ grantedMicros: 500_000, exhausted: false });
});
