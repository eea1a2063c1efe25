/**
 * On every `npm start` after the first: the demo the launcher seeded follows this run's ports. The
 * seeded echo deployments keep their vendor URL and the regions their publicUrl from the start that
 * seeded them, so a restart with another ECHO_VENDOR_PORT answered 502 and residency refusals named old
 * proxy ports.
 *
 * Only what the launcher wrote is brought up to date: a value is changed only while it is still the
 * one the launcher last wrote (a publicUrl or a deployment the user changed since stays theirs), and a
 * disabled deployment stays out of service. All of it goes through the admin API with the launcher's
 * bootstrap token, audited like any change: `updateRegion` for a publicUrl; for a deployment, whose
 * fields only a reviewed change updates, the direct path the bootstrap token has — a replacement
 * deployment on the new URL (`createDeployment`) put in its place in every alias that routes to it
 * (`updateAlias`). The replaced deployment stays, out of every alias.
 *
 * @example const demo = await refreshDemoUrls(admin, state.demo, { vendorUrl: echo.url, regionUrls }, console.log)
 */
import type { AdminClient } from "./admin-client.ts";
import { ECHO_CREDENTIAL_REF, ECHO_MODEL } from "./seed-demo.ts";

/** The URLs the launcher writes into the demo: the echo vendor's and each region's proxy. */
export interface LauncherUrls {
  vendorUrl: string;
  regionUrls: Record<string, string>;
}

export interface SeededRouting {
  alias: string;
  /** The seeded deployment of each region (unknown in a local-stack.json written before it was kept). */
  deploymentIds?: Record<string, string>;
  /**
   * The URLs the launcher last wrote (unknown likewise: a value found is then taken as its own only
   * when it is on the host the launcher writes, as an http URL: one an operator set elsewhere stays).
   */
  urls?: LauncherUrls;
}

/** Whether `found` may be what the launcher wrote, when its record is missing: null, or http on `wanted`'s host. */
function looksLaunchers(found: string | null, wanted: string): boolean {
  if (found === null) return true;
  try {
    const [a, b] = [new URL(found), new URL(wanted)];
    return a.protocol === "http:" && a.hostname === b.hostname;
  } catch {
    return false;
  }
}

interface DeploymentRow {
  id: string;
  provider: string;
  baseUrl: string;
  model: string;
  region: string;
  credentialRef: string;
  jurisdiction: string | null;
  flags: string[];
  status: string;
}
interface AliasRow {
  name: string;
  deploymentIds: string[];
  deployments: DeploymentRow[];
}

const baseUrlOf = (vendorUrl: string) => `${vendorUrl}/v1`;

/** Brings the seeded demo up to date with `now`; returns the seeded deployments as they are afterwards. */
export async function refreshDemoUrls(admin: AdminClient, seeded: SeededRouting, now: LauncherUrls, log: (line: string) => void): Promise<Record<string, string>> {
  await refreshRegionUrls(admin, seeded.urls?.regionUrls, now.regionUrls, log);
  return refreshDeployments(admin, seeded, now.vendorUrl, log);
}

async function refreshRegionUrls(admin: AdminClient, written: Record<string, string> | undefined, now: Record<string, string>, log: (line: string) => void): Promise<void> {
  const { regions } = await admin.request<{ regions: { items: { name: string; publicUrl: string | null }[] } }>(`{ regions(first: 500) { items { name publicUrl } } }`);
  for (const region of regions.items) {
    const wanted = now[region.name];
    if (wanted === undefined || region.publicUrl === wanted) continue;
    const launchers = written?.[region.name] !== undefined ? region.publicUrl === written[region.name] : looksLaunchers(region.publicUrl, wanted);
    if (!launchers) continue; // set by someone else
    await admin.request(`mutation($name: String!, $publicUrl: String) { updateRegion(input: { name: $name, publicUrl: $publicUrl }) { name } }`, {
      name: region.name,
      publicUrl: wanted,
    });
    log(`npm start: region ${region.name}'s publicUrl ${region.publicUrl ?? "(none)"} -> ${wanted}`);
  }
}

async function refreshDeployments(admin: AdminClient, seeded: SeededRouting, vendorUrl: string, log: (line: string) => void): Promise<Record<string, string>> {
  const aliases = await allAliases(admin);
  const byId = new Map(aliases.flatMap((alias) => alias.deployments.map((d) => [d.id, d] as const)));
  const ids = seeded.deploymentIds ?? seededInAlias(aliases.find((alias) => alias.name === seeded.alias));
  const wanted = baseUrlOf(vendorUrl);
  const replaced = new Map<string, string>();
  const result = { ...ids };
  for (const [region, id] of Object.entries(ids)) {
    const deployment = byId.get(id); // in no alias: nothing routes to it, nothing to repair
    if (!deployment || deployment.status !== "active" || deployment.baseUrl === wanted) continue;
    const launchers = seeded.urls ? deployment.baseUrl === baseUrlOf(seeded.urls.vendorUrl) : looksLaunchers(deployment.baseUrl, wanted);
    if (!launchers) continue; // changed by someone else
    const { createDeployment } = await admin.request<{ createDeployment: { id: string } }>(`mutation($input: CreateDeploymentInput!) { createDeployment(input: $input) { id } }`, {
      input: {
        provider: deployment.provider,
        baseUrl: wanted,
        model: deployment.model,
        region: deployment.region,
        credentialRef: deployment.credentialRef,
        jurisdiction: deployment.jurisdiction,
        flags: deployment.flags,
      },
    });
    replaced.set(id, createDeployment.id);
    result[region] = createDeployment.id;
  }
  if (replaced.size === 0) return result;
  for (const alias of aliases) {
    if (!alias.deploymentIds.some((id) => replaced.has(id))) continue;
    const deploymentIds = alias.deploymentIds.map((id) => replaced.get(id) ?? id);
    await admin.request(`mutation($input: AliasInput!) { updateAlias(input: $input) { name } }`, { input: { name: alias.name, deploymentIds } });
    log(`npm start: alias ${alias.name} now routes to the echo vendor at ${vendorUrl} (${alias.deploymentIds.filter((id) => replaced.has(id)).map((id) => `${id} -> ${replaced.get(id)}`).join(", ")})`);
  }
  return result;
}

/** For a local-stack.json that predates `deploymentIds`: the echo deployments seeding put in the demo alias. */
function seededInAlias(alias: AliasRow | undefined): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const d of alias?.deployments ?? []) {
    if (d.credentialRef === ECHO_CREDENTIAL_REF && d.model === ECHO_MODEL && d.jurisdiction === d.region) ids[d.region] ??= d.id;
  }
  return ids;
}

async function allAliases(admin: AdminClient): Promise<AliasRow[]> {
  const rows: AliasRow[] = [];
  let after: string | null = null;
  do {
    const { aliases }: { aliases: { items: AliasRow[]; nextCursor: string | null } } = await admin.request(
      `query($after: String) { aliases(first: 500, after: $after) { items { name deploymentIds deployments { id provider baseUrl model region credentialRef jurisdiction flags status } } nextCursor } }`,
      { after },
    );
    rows.push(...aliases.items);
    after = aliases.nextCursor;
  } while (after);
  return rows;
}
