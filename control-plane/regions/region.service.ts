/** Region rules: a valid unique name; the proxy token is shown once and stored hashed; an optional public URL. */
import { hashSecret, newToken } from "../../shared/ids.ts";
import { runAudited } from "../audit/run-audited.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput, conflict, notFound } from "../graphql/errors.ts";
import { requireHttpUrl, requirePattern, requireUrlLength, urlQueryAndFragment } from "../graphql/validate.ts";
import { runConfigChange } from "../snapshots/config-change.ts";
import { REGION_NAME_PATTERN } from "./region-name.ts";
import type { CreateRegionInput, UpdateRegionInput } from "./region.input.ts";
import { insertRegion, listRegions, lockRegionPublicUrl, regionExists, replaceRegionTokenHash, setRegionPublicUrl } from "./region.repo.ts";
import type { CreatedRegion, Region, RotatedRegionToken } from "./region.type.ts";

/** How long a rotated-out region token stays valid by default: time to redeploy the region's proxies. */
export const DEFAULT_REGION_TOKEN_GRACE_MINUTES = 60;
/** A week: a longer grace would leave a leaked token usable for no reason. */
export const MAX_REGION_TOKEN_GRACE_MINUTES = 7 * 24 * 60;

/**
 * A region's public endpoint: an absolute http(s) URL without credentials, query or fragment (it is
 * quoted verbatim to clients in residency_violation answers). Null or absent means "not set".
 */
export function normalizePublicUrl(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const { query, fragment } = urlQueryAndFragment(requireHttpUrl("publicUrl", requireUrlLength("publicUrl", value)));
  if (query !== null || fragment !== null) throw badInput("publicUrl", "must not carry a query or fragment");
  return value;
}

/** Creating a region is a config change too: it bumps the version and publishes its first snapshot. */
export async function createRegion(ctx: GraphQLContext, input: CreateRegionInput): Promise<CreatedRegion> {
  const name = requirePattern("name", input.name, REGION_NAME_PATTERN);
  const publicUrl = normalizePublicUrl(input.publicUrl);
  const token = newToken("reg");
  await runConfigChange(ctx.deps, ctx.who, async (tx) => {
    if (await regionExists(tx, name)) throw conflict(`a region named ${name} already exists`);
    await insertRegion(tx, name, hashSecret(token), publicUrl);
    return { result: null, audit: { action: "region.create", target: name, after: { name, publicUrl } } };
  });
  const [region] = await listRegions(ctx.deps.sql, name);
  return { region: region!, token };
}

/** Sets (or clears) a region's public URL; every region's snapshot republishes its directory. */
export async function updateRegion(ctx: GraphQLContext, input: UpdateRegionInput): Promise<Region> {
  const name = requirePattern("name", input.name, REGION_NAME_PATTERN);
  const publicUrl = normalizePublicUrl(input.publicUrl);
  await runConfigChange(ctx.deps, ctx.who, async (tx) => {
    const current = await lockRegionPublicUrl(tx, name);
    if (!current) throw notFound("region", name);
    await setRegionPublicUrl(tx, name, publicUrl);
    return { result: null, audit: { action: "region.update", target: name, before: { publicUrl: current.publicUrl }, after: { publicUrl } } };
  });
  const [region] = await listRegions(ctx.deps.sql, name);
  return region!;
}

/**
 * Replaces a region's token (a leaked one, or routine rotation): the new token is shown once and stored
 * hashed; the previous one stays valid for `graceMinutes` (0: revoked at once) on snapshot reads, usage
 * ingest and leases. Not a config change (no snapshot carries the token): audited as region.rotateToken.
 */
export async function rotateRegionToken(ctx: GraphQLContext, nameInput: string, graceMinutesInput: number | null | undefined): Promise<RotatedRegionToken> {
  const name = requirePattern("name", nameInput, REGION_NAME_PATTERN);
  const graceMinutes = graceMinutesInput ?? DEFAULT_REGION_TOKEN_GRACE_MINUTES;
  if (!Number.isInteger(graceMinutes) || graceMinutes < 0 || graceMinutes > MAX_REGION_TOKEN_GRACE_MINUTES) {
    throw badInput("graceMinutes", `must be a whole number of minutes from 0 to ${MAX_REGION_TOKEN_GRACE_MINUTES}`);
  }
  const token = newToken("reg");
  const previousTokenValidUntil = graceMinutes === 0 ? null : new Date(Date.now() + graceMinutes * 60_000);
  await runAudited(ctx.deps.sql, ctx.who, async (tx) => {
    if (!(await replaceRegionTokenHash(tx, name, hashSecret(token), previousTokenValidUntil))) throw notFound("region", name);
    return { result: null, audit: { action: "region.rotateToken", target: name, after: { graceMinutes, previousTokenValidUntil: previousTokenValidUntil?.toISOString() ?? null } } };
  });
  const [region] = await listRegions(ctx.deps.sql, name);
  return { region: region!, token, previousTokenValidUntil };
}
