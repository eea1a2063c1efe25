import { describe, expect, test } from "bun:test";
import { parseSnapshot } from "../../shared/snapshot/schema.ts";
import { MAX_TENANT_DEPTH, planLimits, tenantChain } from "./limit-plan.ts";
import { ORG, PROJECT, TEAM, testKey, testSnapshot } from "./test-snapshot.ts";

const NOW = new Date("2026-11-26T03:00:00Z");

describe("planLimits", () => {
  test("no limits configured anywhere: no levels at all", () => {
    expect(planLimits(testSnapshot(), testKey(), PROJECT, null, NOW)).toEqual({ rate: [], budget: [], failOpen: false });
  });

  test("key, project, team and org each add the levels they configure, nearest first", () => {
    const snapshot = testSnapshot({
      [PROJECT]: { limits: { rpm: 100 } },
      [TEAM]: { limits: { rpm: null, tpm: null }, budgets: { dailyMicros: 5_000_000 } },
      [ORG]: { limits: { tpm: 90_000 }, budgets: { dailyMicros: 10_000_000, monthlyMicros: 200_000_000 } },
    });
    const plan = planLimits(snapshot, testKey({ limits: { rpm: 60, tpm: 10_000 }, budgets: { monthlyMicros: 1_000_000 } }), PROJECT, null, NOW);
    expect(plan.rate).toEqual([
      { scope: "key:key_one", rpm: 60, tpm: 10_000 },
      { scope: `ten:${PROJECT}`, rpm: 100, tpm: null },
      { scope: `ten:${ORG}`, rpm: null, tpm: 90_000 },
    ]);
    expect(plan.budget).toEqual([
      { scope: "key:key_one", period: "month:2026-11@UTC", capMicros: 1_000_000 },
      { scope: `ten:${TEAM}`, period: "day:2026-11-26@UTC", capMicros: 5_000_000 },
      { scope: `ten:${ORG}`, period: "day:2026-11-26@UTC", capMicros: 10_000_000 },
      { scope: `ten:${ORG}`, period: "month:2026-11@UTC", capMicros: 200_000_000 },
    ]);
  });

  test("a rotated key's level is its lineage's, shared with the secret it replaced", () => {
    const limits = { limits: { rpm: 60 }, budgets: { monthlyMicros: 1_000_000 } };
    const rotated = planLimits(testSnapshot(), testKey({ id: "key_two", lineageId: "key_one", ...limits }), PROJECT, null, NOW);
    const replaced = planLimits(testSnapshot(), testKey(limits), PROJECT, null, NOW);
    expect(rotated).toEqual(replaced);
    expect(rotated.rate.map((c) => c.scope)).toEqual(["key:key_one"]);
    expect(rotated.budget.map((c) => c.scope)).toEqual(["key:key_one"]);
  });

  test("budget periods follow the org's time zone, even when a project names another", () => {
    const snapshot = testSnapshot({
      [ORG]: { timeZone: "America/New_York", budgets: { dailyMicros: 1 } },
      [PROJECT]: { timeZone: "Asia/Tokyo", budgets: { dailyMicros: 1 } },
    });
    const plan = planLimits(snapshot, testKey(), PROJECT, null, NOW);
    // 03:00 UTC on the 26th is still the 25th in New York (and already the 26th in Tokyo and UTC).
    expect(plan.budget.map((b) => b.period)).toEqual(["day:2026-11-25@America/New_York", "day:2026-11-25@America/New_York"]);
  });

  test("a feature is limited by every tenant up the chain that defines it, each scoped to that tenant", () => {
    const snapshot = testSnapshot({
      [ORG]: { featureLimits: { search: { rpm: 10 }, chat: { tpm: 5 } } },
      [TEAM]: { featureLimits: { search: { rpm: 3 } } },
      // A project's own, higher limit cannot lift the org's shared one.
      [PROJECT]: { featureLimits: { search: { rpm: 1000 } } },
    });
    expect(planLimits(snapshot, testKey(), PROJECT, "search", NOW).rate).toEqual([
      { scope: `feature:${PROJECT}:search`, rpm: 1000, tpm: null },
      { scope: `feature:${TEAM}:search`, rpm: 3, tpm: null },
      { scope: `feature:${ORG}:search`, rpm: 10, tpm: null },
    ]);
    expect(planLimits(snapshot, testKey(), PROJECT, "chat", NOW).rate).toEqual([{ scope: `feature:${ORG}:chat`, rpm: null, tpm: 5 }]);
    expect(planLimits(snapshot, testKey(), PROJECT, "other", NOW).rate).toEqual([]);
    expect(planLimits(snapshot, testKey(), PROJECT, null, NOW).rate).toEqual([]);
    // "toString" is not a feature someone defined: own properties only.
    expect(planLimits(snapshot, testKey(), PROJECT, "toString", NOW).rate).toEqual([]);
  });

  test("budgetFailOpen: the nearest tenant that sets it decides; closed by default", () => {
    expect(planLimits(testSnapshot({ [ORG]: { budgetFailOpen: true } }), testKey(), PROJECT, null, NOW).failOpen).toBe(true);
    expect(planLimits(testSnapshot({ [ORG]: { budgetFailOpen: true }, [TEAM]: { budgetFailOpen: false } }), testKey(), PROJECT, null, NOW).failOpen).toBe(false);
    expect(planLimits(testSnapshot(), testKey(), PROJECT, null, NOW).failOpen).toBe(false);
  });

  test("a parent cycle stops the walk once every tenant in it was visited", () => {
    const snapshot = testSnapshot({ [ORG]: { parentId: PROJECT, limits: { rpm: 1 } }, [PROJECT]: { limits: { rpm: 2 } }, [TEAM]: { limits: { rpm: 3 } } });
    expect(tenantChain(snapshot, PROJECT).map((t) => t.id)).toEqual([PROJECT, TEAM, ORG]);
    expect(planLimits(snapshot, testKey(), PROJECT, null, NOW).rate.map((c) => c.scope)).toEqual([`ten:${PROJECT}`, `ten:${TEAM}`, `ten:${ORG}`]);
  });

  test("a tree deeper than the maximum is cut, an unknown parent ends it", () => {
    const snapshot = testSnapshot();
    for (let i = 0; i < 12; i++) snapshot.tenants[`ten_${i}`] = { id: `ten_${i}`, name: `${i}`, status: "active", parentId: i === 11 ? "ten_missing" : `ten_${i + 1}` };
    expect(tenantChain(snapshot, "ten_0")).toHaveLength(MAX_TENANT_DEPTH);
    expect(tenantChain(snapshot, "ten_8").map((t) => t.id)).toEqual(["ten_8", "ten_9", "ten_10", "ten_11"]);
    expect(tenantChain(snapshot, "ten_unknown")).toEqual([]);
  });
});

describe("parseSnapshot accepts the limit fields and checks them cheaply", () => {
  const roundTrip = (s: unknown) => parseSnapshot(JSON.parse(JSON.stringify(s)));

  test("a snapshot with every new field parses; one without them still does", () => {
    const full = testSnapshot({ [ORG]: { limits: { rpm: 1, tpm: null }, budgets: { dailyMicros: 1, monthlyMicros: null }, timeZone: "Europe/Berlin", budgetFailOpen: true, featureLimits: { f: { rpm: 2 } } } });
    full.keys.abc = testKey({ limits: { rpm: 5 }, budgets: { dailyMicros: 10 } });
    expect(roundTrip(full).ok).toBe(true);
    expect(roundTrip(testSnapshot()).ok).toBe(true);
  });

  test("an old snapshot's `defaults` field is not read: it parses whatever the field holds", () => {
    for (const defaults of [{ maxOutputTokens: 4096 }, { maxOutputTokens: -1 }, "x"]) expect(roundTrip({ ...testSnapshot(), defaults }).ok).toBe(true);
  });

  test("negative or fractional numbers, bad zones and bad types are refused with a reason", () => {
    const bad = [
      testSnapshot({ [ORG]: { limits: { rpm: -1 } } }),
      testSnapshot({ [TEAM]: { budgets: { dailyMicros: 1.5 } } }),
      testSnapshot({ [ORG]: { timeZone: "Mars/Olympus" } }),
      testSnapshot({ [ORG]: { featureLimits: { f: { tpm: -5 } } } }),
      testSnapshot({ [ORG]: { budgetFailOpen: "yes" as unknown as boolean } }),
    ];
    for (const snapshot of bad) {
      const parsed = roundTrip(snapshot);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toMatch(/tenant/);
    }
    const badKey = testSnapshot();
    badKey.keys.abcdef0123 = testKey({ limits: { tpm: -1 } });
    const parsed = roundTrip(badKey);
    expect(parsed.ok ? "" : parsed.reason).toBe("key abcdef01: limits.tpm must be a non-negative integer or null");
    const badLineage = testSnapshot();
    badLineage.keys.abcdef0123 = testKey({ lineageId: 7 as unknown as string });
    const parsedLineage = roundTrip(badLineage);
    expect(parsedLineage.ok ? "" : parsedLineage.reason).toBe("key abcdef01: lineageId must be a key id");
  });
});
