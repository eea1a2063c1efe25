/**
 * One spend answer is one snapshot of the ledger: under live ingestion, total, Σ byModel, Σ byDay,
 * Σ byFeature and Σ byKey agree in every answer. Before, the groups were separate statements on the
 * pool, and an ingest between them gave answers such as total 140, byModel 140, byDay 280.
 */
import { beforeAll, expect, test } from "bun:test";
import { addKey } from "../testing/add-key.ts";
import { addTenant } from "../testing/add-tenant.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { usageEventFor } from "../testing/usage-event.ts";

const t = useTestControlPlane();
let s: Seeded;
beforeAll(async () => {
  s = await seedConfig(t.admin);
});

interface SpendAnswer {
  costMicros: string;
  requests: number;
  byModel: { costMicros: string; requests: number }[];
  byDay: { costMicros: string; requests: number }[];
  byFeature: { costMicros: string; requests: number }[];
  byKey: { costMicros: string; requests: number }[];
}

test("total and the sum of each group (byModel, byDay, byFeature, byKey) agree in every answer while usage is being ingested", async () => {
  const tenant = await addTenant(t.admin, "consistency-org", null);
  const keyId = await addKey(t.admin, tenant);
  let stop = false;
  let n = 0;
  let batches = 0;
  // Events on the tenant's own key: ingest refuses a key booked under another tenant, and an empty
  // ledger would agree with itself trivially.
  let accepted = 0;
  const ingest = (async () => {
    while (!stop) {
      const events = Array.from({ length: 20 }, () => usageEventFor(s, `evt_consistency_${n}`, { time: new Date().toISOString(), tenantId: tenant, keyId, featureId: n++ % 3 === 0 ? null : "f1", costMicros: 7 }));
      const response = await fetch(new URL("/internal/v1/usage", t.cp.url), {
        method: "POST",
        headers: { authorization: `Bearer ${s.euToken}`, "content-type": "application/json" },
        body: JSON.stringify({ events }),
      });
      expect(response.status).toBe(200);
      accepted += ((await response.json()) as { accepted: number }).accepted;
      batches++;
    }
  })();
  const mismatches: string[] = [];
  let answers = 0;
  try {
    for (let i = 0; i < 200 || batches < 20; i++) {
      const { spend } = await t.admin.request<{ spend: SpendAnswer }>(
        `query($t: ID!) { spend(tenantId: $t, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { costMicros requests byModel { costMicros requests } byDay { costMicros requests } byFeature { costMicros requests } byKey { costMicros requests } } }`,
        { t: tenant },
      );
      answers++;
      const sum = (groups: { costMicros: string; requests: number }[]) => [groups.reduce((a, g) => a + BigInt(g.costMicros), 0n), groups.reduce((a, g) => a + g.requests, 0)];
      const total = BigInt(spend.costMicros);
      for (const group of ["byModel", "byDay", "byFeature", "byKey"] as const) {
        const [cost, requests] = sum(spend[group]);
        if (cost !== total || requests !== spend.requests) mismatches.push(`total ${total}/${spend.requests}, ${group} ${cost}/${requests}`);
      }
    }
  } finally {
    stop = true;
    await ingest;
  }
  expect(answers).toBeGreaterThan(0);
  expect(accepted).toBeGreaterThan(0);
  expect(mismatches).toEqual([]);
});
