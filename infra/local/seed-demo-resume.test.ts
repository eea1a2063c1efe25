/**
 * Seeding that stops part way (a crash, Ctrl-C) picks up where it stopped on the next start, from the
 * progress it saved after each step, instead of failing for ever on "a region named us already exists".
 * Every stopping point is tried, before a request is sent and after it was applied but its answer lost.
 * The one step that cannot be picked up is a region whose token was never received (it is shown once):
 * that is refused in words.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startControlPlane, type RunningControlPlane } from "../../control-plane/main.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { adminClient, type AdminClient } from "./admin-client.ts";
import { emptySeedProgress, seedDemo, type SeedProgress } from "./seed-demo.ts";

const ADMIN_TOKEN = "admtok_seed_resume_0123456789abcdef";
let db: TestDatabase;
let dataDir: string;
let controlPlane: RunningControlPlane;
let admin: AdminClient;

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), "seed-resume-"));
  controlPlane = await startControlPlane({ port: 0, databaseUrl: db.url, dataDir, adminToken: ADMIN_TOKEN, log: () => {} });
  admin = adminClient(controlPlane.url, ADMIN_TOKEN);
});
afterAll(async () => {
  await controlPlane?.stop();
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The admin client, stopping the run at its `at`-th request: before sending it, or after it was applied. */
function stoppingAt(at: number, when: "before" | "after"): AdminClient {
  let sent = 0;
  return {
    async request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
      sent++;
      if (sent === at && when === "before") throw new Error("stopped");
      const answer = await admin.request<T>(query, variables);
      if (sent === at) throw new Error("stopped");
      return answer;
    },
  };
}

// A fresh seed sends: createRegion, createDeployment (per region), createAlias, setPrice, createTenant, createKey.
const STEPS = ["createRegion a", "createDeployment a", "createRegion b", "createDeployment b", "createAlias", "setPrice", "createTenant", "createKey"];
let run = 0;

for (const [index, step] of STEPS.entries()) {
  for (const when of ["before", "after"] as const) {
    const lostToken = step.startsWith("createRegion") && when === "after";
    test(`stopped ${when} ${step}: ${lostToken ? "the next start is refused in words (the region's token was lost)" : "the next start finishes the seed"}`, async () => {
      run++;
      const options = { vendorUrl: "http://127.0.0.1:9/echo", regions: [`ra${run}`, `rb${run}`], alias: `alias-${run}`, tenantName: `demo-${run}` };
      // As local-stack.json would keep it: a copy written after every step.
      let saved: SeedProgress = emptySeedProgress();
      const save = async (progress: SeedProgress) => {
        saved = JSON.parse(JSON.stringify(progress));
      };
      await expect(seedDemo(stoppingAt(index + 1, when), options, { progress: emptySeedProgress(), save })).rejects.toThrow("stopped");

      const resumed = seedDemo(admin, options, { progress: saved, save });
      if (lostToken) {
        const region = step.endsWith("a") ? `ra${run}` : `rb${run}`;
        await expect(resumed).rejects.toThrow(`region ${region} already exists, but its proxy token (shown once, when it was created) was not kept`);
        return;
      }
      const demo = await resumed;
      expect(Object.keys(demo.regionTokens).sort()).toEqual([`ra${run}`, `rb${run}`]);
      const { aliases } = await admin.request<{ aliases: { items: { name: string; deploymentIds: string[] }[] } }>(`{ aliases(first: 500) { items { name deploymentIds } } }`);
      expect(aliases.items.find((a) => a.name === `alias-${run}`)!.deploymentIds).toEqual([demo.deploymentIds[`ra${run}`]!, demo.deploymentIds[`rb${run}`]!]);
      const { tenant } = await admin.request<{ tenant: { name: string } }>(`query($id: ID!) { tenant(id: $id) { name } }`, { id: demo.tenantId });
      expect(tenant.name).toBe(`demo-${run}`);
      const { keys } = await admin.request<{ keys: { items: { id: string; status: string }[] } }>(`query($t: ID!) { keys(tenantId: $t) { items { id status } } }`, { t: demo.tenantId });
      expect(keys.items.find((k) => k.id === demo.keyId)?.status).toBe("active");
    }, 30_000);
  }
}
