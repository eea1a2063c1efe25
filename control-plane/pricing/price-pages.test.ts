/**
 * Paging prices one by one returns every price, in the same order as one big page, whatever the
 * database collation makes of the models: on C.UTF-8, "Ａ-model" (U+FF21) sorts before "😀-model"
 * while JavaScript's `>` put it after, and the second page came back empty.
 */
import { expect, test } from "bun:test";
import { seedConfig } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();

async function pageAll(field: string, key: string, extra = ""): Promise<{ paged: string[]; all: string[] }> {
  const paged: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 20; i++) {
    const r: any = await t.admin.request(`query($a: String) { ${field}(first: 1, after: $a${extra}) { items { ${key} } nextCursor } }`, { a: after });
    paged.push(...r[field].items.map((x: any) => x[key]));
    after = r[field].nextCursor;
    if (!after) break;
  }
  const all: any = await t.admin.request(`{ ${field}(first: 500${extra}) { items { ${key} } } }`);
  return { paged, all: all[field].items.map((x: any) => x[key]) };
}

test("prices page through astral, full-width and mixed-case models without losing one", async () => {
  const models = ["\u{1F600}-model", "\uFF21-model", "model-a", "Model-b"];
  for (const model of models) {
    await t.admin.request(`mutation($i: SetPriceInput!) { setPrice(input: $i) { model } }`, { i: { provider: "anthropic", model, inputUsdPerMillion: 1, outputUsdPerMillion: 1 } });
  }
  const { paged, all } = await pageAll("prices", "model", `, provider: "anthropic"`);
  expect(all).toEqual(["Model-b", "model-a", "\uFF21-model", "\u{1F600}-model"]);
  expect(paged).toEqual(all);
});

test("aliases, regions and deployments page through the same way", async () => {
  const seeded = await seedConfig(t.admin);
  for (const name of ["a-z", "ab", "a.b", "a0"]) {
    await t.admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name, deploymentIds: [seeded.euDeploymentId] } });
  }
  for (const [field, key] of [["aliases", "name"], ["regions", "name"], ["deployments", "id"]] as const) {
    const { paged, all } = await pageAll(field, key);
    expect(all.length).toBeGreaterThan(1);
    expect(paged).toEqual(all);
  }
});
