/**
 * Seeds what the tour needs through the public GraphQL API (never behind its back): one region per
 * proxy with its token (and public URL when given), one deployment per region pointing at the echo
 * vendor with the region's name as its jurisdiction, an alias over them, a price, a demo tenant and a key.
 * Given saved progress, it goes on with a seed that stopped part way (see seedDemo).
 *
 * @example const demo = await seedDemo(admin, { vendorUrl: echo.url, regions: ["us", "eu"] })
 */
import { AdminApiError, type AdminClient } from "./admin-client.ts";

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

/** A seed that no later run can finish (a region's token is lost): only starting over helps. */
export class SeedCannotGoOn extends Error {
  override readonly name = "SeedCannotGoOn";
}

/** What a seed has made so far, saved after each step so a seed that stopped part way can go on. */
export interface SeedProgress {
  regionTokens: Record<string, string>;
  deploymentIds: Record<string, string>;
  tenantId: string | null;
}

export const emptySeedProgress = (): SeedProgress => ({ regionTokens: {}, deploymentIds: {}, tenantId: null });

/**
 * Seeds, or goes on with a seed that stopped: `resume.progress` is what an earlier run saved (through
 * `resume.save`, called after each step), and steps it records are skipped. A step that was applied
 * but not saved is found again where it can be: the alias is updated if it exists, the tenant looked
 * up by name. A region's proxy token cannot be: it is shown once, so a region that exists without a
 * saved token is refused. (A deployment or key made but not saved stays, unused.)
 */
export async function seedDemo(admin: AdminClient, options: SeedOptions, resume?: { progress: SeedProgress; save(progress: SeedProgress): Promise<void> }): Promise<SeededDemo> {
  const alias = options.alias ?? "support-fast";
  const model = options.vendorModel ?? ECHO_MODEL;
  const credentialRef = options.credentialEnv ? `env:${options.credentialEnv}` : ECHO_CREDENTIAL_REF;
  const progress: SeedProgress = resume?.progress ?? emptySeedProgress();
  const save = () => resume?.save(progress) ?? Promise.resolve();

  for (const region of options.regions) {
    if (!progress.regionTokens[region]) {
      const { createRegion } = await admin
        .request<{ createRegion: { token: string } }>(`mutation($name: String!, $publicUrl: String) { createRegion(input: { name: $name, publicUrl: $publicUrl }) { token } }`, {
          name: region,
          publicUrl: options.regionUrls?.[region] ?? null,
        })
        .catch((error) => {
          if (error instanceof AdminApiError && error.code === "CONFLICT") {
            throw new SeedCannotGoOn(`region ${region} already exists, but its proxy token (shown once, when it was created) was not kept: a seed stopped right after creating it, or the launcher's state was deleted`);
          }
          throw error;
        });
      progress.regionTokens[region] = createRegion.token;
      await save();
    }
    if (!progress.deploymentIds[region]) {
      const { createDeployment } = await admin.request<{ createDeployment: { id: string } }>(`mutation($input: CreateDeploymentInput!) { createDeployment(input: $input) { id } }`, {
        input: { provider: "openai", baseUrl: `${options.vendorUrl}/v1`, model, region, credentialRef, jurisdiction: region },
      });
      progress.deploymentIds[region] = createDeployment.id;
      await save();
    }
  }
  // Priced before the alias routes to it: an alias may not route to an unpriced model (control-plane/changes/unpriced-routes.ts).
  await admin.request(`mutation($input: SetPriceInput!) { setPrice(input: $input) { model } }`, {
    input: { provider: "openai", model, inputUsdPerMillion: 0.15, outputUsdPerMillion: 0.6 },
  });
  // Not saved as a step: created, or (made by a seed that stopped after it) set again to this chain.
  const chain = { name: alias, deploymentIds: options.regions.map((region) => progress.deploymentIds[region]!) };
  await admin.request(`mutation($input: AliasInput!) { createAlias(input: $input) { name } }`, { input: chain }).catch(async (error) => {
    if (!(error instanceof AdminApiError && error.code === "CONFLICT" && resume)) throw error;
    await admin.request(`mutation($input: AliasInput!) { updateAlias(input: $input) { name } }`, { input: chain });
  });
  const tenantName = options.tenantName ?? "demo";
  if (!progress.tenantId) {
    progress.tenantId = await admin
      .request<{ createTenant: { id: string } }>(`mutation($name: String!) { createTenant(input: { name: $name }) { id } }`, { name: tenantName })
      .then(({ createTenant }) => createTenant.id)
      .catch(async (error) => {
        if (!(error instanceof AdminApiError && error.code === "CONFLICT" && resume)) throw error;
        return rootTenantNamed(admin, tenantName);
      });
    await save();
  }
  const { createKey } = await admin.request<{ createKey: { key: { id: string }; secret: string } }>(
    `mutation($input: CreateKeyInput!) { createKey(input: $input) { key { id } secret } }`,
    { input: { tenantId: progress.tenantId, name: "demo key", ...options.keyLimits } },
  );
  return { regionTokens: progress.regionTokens, deploymentIds: progress.deploymentIds, tenantId: progress.tenantId, keyId: createKey.key.id, keySecret: createKey.secret, alias };
}

/** The id of the root tenant called `name` (names are unique among roots). */
async function rootTenantNamed(admin: AdminClient, name: string): Promise<string> {
  let after: string | null = null;
  do {
    const { tenants }: { tenants: { items: { id: string; name: string; parentId: string | null }[]; nextCursor: string | null } } = await admin.request(
      `query($after: String) { tenants(first: 500, after: $after) { items { id name parentId } nextCursor } }`,
      { after },
    );
    const found = tenants.items.find((t) => t.name === name && t.parentId === null);
    if (found) return found.id;
    after = tenants.nextCursor;
  } while (after);
  throw new Error(`tenant ${name} was reported to exist but is not among the root tenants`);
}
