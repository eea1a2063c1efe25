/** Region rules: a valid unique name; the proxy token is shown once and stored hashed. */
import { hashSecret, newToken } from "../../shared/ids.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { conflict } from "../graphql/errors.ts";
import { requirePattern } from "../graphql/validate.ts";
import { runConfigChange } from "../snapshots/config-change.ts";
import { REGION_NAME_PATTERN } from "./region-name.ts";
import type { CreateRegionInput } from "./region.input.ts";
import { insertRegion, listRegions, regionExists } from "./region.repo.ts";
import type { CreatedRegion } from "./region.type.ts";

/** Creating a region is a config change too: it bumps the version and publishes its first snapshot. */
export async function createRegion(ctx: GraphQLContext, input: CreateRegionInput): Promise<CreatedRegion> {
  const name = requirePattern("name", input.name, REGION_NAME_PATTERN);
  const token = newToken("reg");
  await runConfigChange(ctx.deps, ctx.who, async (tx) => {
    if (await regionExists(tx, name)) throw conflict(`a region named ${name} already exists`);
    await insertRegion(tx, name, hashSecret(token));
    return { result: null, audit: { action: "region.create", target: name, after: { name } } };
  });
  const [region] = await listRegions(ctx.deps.sql, name);
  return { region: region!, token };
}
