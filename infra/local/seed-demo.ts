/**
 * Seeds what the tour needs through the public GraphQL API (never behind its back): one region per
 * proxy with its token (and public URL when given), one deployment per region pointing at the echo
 * vendor with the region's name as its jurisdiction, an alias over them, a price, a demo tenant and a key.
 *
 * @example const demo = await seedDemo(admin, { vendorUrl: echo.url, regions: ["us", "eu"] })
 */
import type { AdminClient } from "./admin-client.ts";

/** What the launcher's seeded deployments use (the echo vendor's model and the proxies' credential for it). */
export const ECHO_MODEL = "echo-1";
export const ECHO_CREDENTIAL_REF = "env:ECHO_VENDOR_API_KEY";

export interface SeedOptions {
  vendorUrl: string;
  regions: string[];
  /** The environment variable the proxies read the vendor credential from. */
  credentialEnv?: string;
  alias?: string;
  vendorModel?: string;
  tenantName?: string;
  /** Each region's public URL (e.g. its proxy's `http://127.0.0.1:<port>`), named in residency refusals. */
  regionUrls?: Record<string, string>;
  /** Limits for the demo key (none by default), as createKey takes them. */
  keyLimits?: { rpm?: number; tpm?: number; dailyBudgetUsd?: number; monthlyBudgetUsd?: number };
}

export interface SeededDemo {
  regionTokens: Record<string, string>;
  /** Each region's deployment on the vendor. */
  deploymentIds: Record<string, string>;
  tenantId: string;
  keyId: string;
  keySecret: string;
  alias: string;
}

export async function seedDemo(admin: AdminClient, options: SeedOptions): Promise<SeededDemo> {
  const alias = options.alias ?? "support-fast";
  const model = options.vendorModel ?? ECHO_MODEL;
  const credentialRef = options.credentialEnv ? `env:${options.credentialEnv}` : ECHO_CREDENTIAL_REF;

  const regionTokens: Record<string, string> = {};
  const deploymentIds: Record<string, string> = {};
  for (const region of options.regions) {
    const { createRegion } = await admin.request<{ createRegion: { token: string } }>(
      `mutation($name: String!, $publicUrl: String) { createRegion(input: { name: $name, publicUrl: $publicUrl }) { token } }`,
      { name: region, publicUrl: options.regionUrls?.[region] ?? null },
    );
    regionTokens[region] = createRegion.token;
    const { createDeployment } = await admin.request<{ createDeployment: { id: string } }>(
      `mutation($input: CreateDeploymentInput!) { createDeployment(input: $input) { id } }`,
      { input: { provider: "openai", baseUrl: `${options.vendorUrl}/v1`, model, region, credentialRef, jurisdiction: region } },
    );
    deploymentIds[region] = createDeployment.id;
  }
  await admin.request(`mutation($input: AliasInput!) { createAlias(input: $input) { name } }`, {
    input: { name: alias, deploymentIds: options.regions.map((region) => deploymentIds[region]!) },
  });
  await admin.request(`mutation($input: SetPriceInput!) { setPrice(input: $input) { model } }`, {
    input: { provider: "openai", model, inputUsdPerMillion: 0.15, outputUsdPerMillion: 0.6 },
  });
  const { createTenant } = await admin.request<{ createTenant: { id: string } }>(
    `mutation($name: String!) { createTenant(input: { name: $name }) { id } }`,
    { name: options.tenantName ?? "demo" },
  );
  const { createKey } = await admin.request<{ createKey: { key: { id: string }; secret: string } }>(
    `mutation($input: CreateKeyInput!) { createKey(input: $input) { key { id } secret } }`,
    { input: { tenantId: createTenant.id, name: "demo key", ...options.keyLimits } },
  );
  return { regionTokens, deploymentIds, tenantId: createTenant.id, keyId: createKey.key.id, keySecret: createKey.secret, alias };
}
