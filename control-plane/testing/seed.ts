/** Creates a small config through the admin API: a tenant, two regions, deployments, an alias, its prices, a key. */
import type { AdminClient } from "../../infra/local/admin-client.ts";

export interface Seeded {
  tenantId: string;
  euToken: string;
  usToken: string;
  euDeploymentId: string;
  usDeploymentId: string;
  keyId: string;
  secret: string;
}

export async function seedConfig(admin: AdminClient): Promise<Seeded> {
  const { createTenant } = await admin.request<{ createTenant: { id: string } }>(
    `mutation { createTenant(input: { name: "acme" }) { id } }`,
  );
  const region = async (name: string) =>
    (await admin.request<{ createRegion: { token: string } }>(`mutation($n: String!) { createRegion(input: { name: $n }) { token } }`, { n: name }))
      .createRegion.token;
  const euToken = await region("eu");
  const usToken = await region("us");
  const deployment = async (region: string, model: string, ref: string) =>
    (
      await admin.request<{ createDeployment: { id: string } }>(
        `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`,
        { i: { provider: "openai", baseUrl: `https://${region}.vendor.example/v1`, model, region, credentialRef: ref } },
      )
    ).createDeployment.id;
  const euDeploymentId = await deployment("eu", "gpt-4o-mini", "env:OPENAI_EU_KEY");
  const usDeploymentId = await deployment("us", "gpt-4o", "file:/run/secrets/openai-us");
  // Priced before the alias routes to them: an alias may not route to an unpriced model (changes/unpriced-routes.ts).
  const price = (i: Record<string, unknown>) => admin.request(`mutation($i: SetPriceInput!) { setPrice(input: $i) { model } }`, { i });
  await price({ provider: "openai", model: "gpt-4o-mini", inputUsdPerMillion: 0.15, outputUsdPerMillion: 0.6, cachedInputUsdPerMillion: 0.075 });
  await price({ provider: "openai", model: "gpt-4o", inputUsdPerMillion: 2.5, outputUsdPerMillion: 10, cachedInputUsdPerMillion: 1.25 });
  await admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, {
    i: { name: "chat", deploymentIds: [euDeploymentId, usDeploymentId] },
  });
  const { createKey } = await admin.request<{ createKey: { key: { id: string }; secret: string } }>(
    `mutation($i: CreateKeyInput!) { createKey(input: $i) { key { id } secret } }`,
    { i: { tenantId: createTenant.id, name: "backend" } },
  );
  return { tenantId: createTenant.id, euToken, usToken, euDeploymentId, usDeploymentId, keyId: createKey.key.id, secret: createKey.secret };
}
