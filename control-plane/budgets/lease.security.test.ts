/**
 * A region's token asks only for budgets it serves: a region is granted no share of a level none of
 * whose keys its snapshot carries (compile-snapshot.ts: a key with allowedRegions goes only to those
 * regions), so a stolen token or a buggy proxy cannot report spend on, or hold part of, another
 * region's tenant. The security reviewer's case: EU reports the whole cap of a US-only tenant.
 */
import { expect, test } from "bun:test";
import { useLeaseRegions } from "./lease-test-regions.ts";

const r = useLeaseRegions();
const today = () => `day:${new Date().toISOString().slice(0, 10)}`;

test("eu reporting the whole cap of a us-only tenant is refused: us keeps its grant and can get more, no alert fires, the budget is not exhausted", async () => {
  const usOnly = await r.tenant("us-only-org", 1_000_000);
  await r.key(usOnly, ["us"]);
  const scope = `ten:${usOnly}`;
  const period = today();
  const before = (await r.ask("us", [{ scope, period, spentMicros: 0, needMicros: 1000 }])).json.grants[0];
  expect(before).toMatchObject({ managed: true, grantedMicros: 50_000, exhausted: false });

  const eu = await r.ask("eu", [{ scope, period, spentMicros: 1_000_000 }]);
  expect(eu.status).toBe(200);
  // Refused in the answer's own terms: no room (granted = its ledger spend, 0) and the lease cannot grow.
  expect(eu.json.grants[0]).toMatchObject({ scope, period, managed: true, capMicros: 1_000_000, grantedMicros: 0, exhausted: true, ledgerSpentMicros: 0 });
  expect(r.t.logs.filter((l) => l.includes(scope) && l.includes("eu"))).toEqual([expect.stringContaining("no key of that tenant or below it is allowed in eu")]);

  const after = (await r.ask("us", [{ scope, period, spentMicros: 0, needMicros: 1000 }])).json.grants[0];
  expect(after).toMatchObject({ managed: true, grantedMicros: 50_000, exhausted: false });
  const more = (await r.ask("us", [{ scope, period, spentMicros: 40_000, needMicros: 60_000 }])).json.grants[0];
  expect(more.exhausted).toBe(false);
  expect(more.grantedMicros).toBeGreaterThanOrEqual(100_000);
  expect([...(await r.sql`select scope from budget_alerts where tenant_id = ${usOnly}`)]).toEqual([]);
  expect([...(await r.sql`select region from budget_leases where scope = ${scope}`)]).toEqual([{ region: "us" }]);
});

test("a key budget is refused to a region its key is not allowed in, and granted to one it is", async () => {
  const org = await r.tenant("key-budget-org", null);
  const usKey = await r.key(org, ["us"], 200_000);
  const level = { scope: `key:${usKey}`, period: today(), spentMicros: 200_000 };
  expect((await r.ask("eu", [level])).json.grants[0]).toMatchObject({ managed: true, grantedMicros: 0, exhausted: true });
  const us = (await r.ask("us", [{ ...level, spentMicros: 0 }])).json.grants[0];
  expect(us).toMatchObject({ managed: true, capMicros: 200_000, exhausted: false });
  expect(us.grantedMicros).toBeGreaterThan(0);
});

test("a tenant level is served to a region that carries a key anywhere below it, and refused to one that carries none", async () => {
  const org = await r.tenant("split-org", 1_000_000);
  const euTeam = await r.tenant("eu-team", 500_000, org);
  const usTeam = await r.tenant("us-team", 500_000, org);
  await r.key(euTeam, ["eu"]);
  await r.key(usTeam, ["us", "ap"]);
  const period = today();
  const asks = [org, euTeam, usTeam].map((id) => ({ scope: `ten:${id}`, period, spentMicros: 0 }));
  const eu = (await r.ask("eu", asks)).json.grants;
  expect(eu.map((g: any) => [g.managed, g.exhausted, g.grantedMicros > 0])).toEqual([[true, false, true], [true, false, true], [true, true, false]]);
  const us = (await r.ask("us", asks)).json.grants;
  expect(us.map((g: any) => [g.managed, g.exhausted, g.grantedMicros > 0])).toEqual([[true, false, true], [true, true, false], [true, false, true]]);
  // A key carried everywhere (allowedRegions null) serves its tenant in every region.
  const open = await r.tenant("open-org", 1_000_000);
  await r.key(open, null);
  for (const region of ["eu", "us"] as const) expect((await r.ask(region, [{ scope: `ten:${open}`, period, spentMicros: 0 }])).json.grants[0].exhausted).toBe(false);
});

test("a level with no control-plane cap is still answered unmanaged, whichever region asks", async () => {
  const org = await r.tenant("uncapped-org", null);
  await r.key(org, ["us"]);
  expect((await r.ask("eu", [{ scope: `ten:${org}`, period: today(), spentMicros: 5 }])).json.grants).toEqual([{ scope: `ten:${org}`, period: today(), managed: false }]);
});
