/**
 * The checks on a deployment's model and baseUrl belong at input: a value stored before a check
 * existed still compiles into the region's snapshot (the proxy keeps serving what it served), and is
 * shown as it is stored.
 */
import { expect, test } from "bun:test";
import { SNAPSHOT_PATH_PREFIX, JWKS_PATH } from "../../shared/internal-api.ts";
import { importTrustedKeys, verifySnapshot } from "../../shared/snapshot/verify.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();

/** Values no longer accepted at input, as an older control plane stored them. */
const STORED = [
  { model: "echo-模型", baseUrl: "https://api.openai.com/v1" },
  { model: "gpt-4o-mini", baseUrl: "https://api.openai.com/v1?tag=eu#x " },
  { model: "gpt-4o-mini", baseUrl: "https://API.openai.com:443/v1" },
];

test("deployments stored before the model and baseUrl checks still compile into the snapshot, as stored", async () => {
  const { createRegion } = await t.admin.request<{ createRegion: { token: string } }>(`mutation { createRegion(input: { name: "eu" }) { token } }`);
  const create = (model: string, baseUrl: string) =>
    t.admin.request<{ createDeployment: { id: string } }>(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, {
      i: { provider: "openai", baseUrl, model, region: "eu", credentialRef: "env:GW_CRED_OPENAI" },
    });
  const sql = t.openSql();
  const ids: string[] = [];
  for (const { model, baseUrl } of STORED) {
    const id = (await create("placeholder", "https://api.openai.com/v1")).createDeployment.id;
    await sql`update deployments set model = ${model}, base_url = ${baseUrl} where id = ${id}`;
    ids.push(id);
  }
  await create("gpt-4o-mini", "https://api.openai.com/v1"); // a config change: the snapshot is compiled again from every row
  const response = await fetch(new URL(SNAPSHOT_PATH_PREFIX + "eu", t.cp.url), { headers: { authorization: `Bearer ${createRegion.token}` } });
  expect(response.status).toBe(200);
  const jwks = await (await fetch(new URL(JWKS_PATH, t.cp.url))).json();
  const verdict = await verifySnapshot(await response.text(), await importTrustedKeys(jwks), "eu");
  if (!verdict.ok) throw new Error(`snapshot rejected: ${verdict.reason} ${verdict.detail}`);
  expect(ids.map((id) => ({ model: verdict.snapshot.deployments[id]?.model, baseUrl: verdict.snapshot.deployments[id]?.baseUrl }))).toEqual(STORED);
  const { deployments } = await t.admin.request<{ deployments: { items: { id: string; model: string; baseUrl: string }[] } }>(`{ deployments { items { id model baseUrl } } }`);
  expect(ids.map((id) => deployments.items.find((d) => d.id === id)).map((d) => ({ model: d?.model, baseUrl: d?.baseUrl }))).toEqual(STORED);
});
