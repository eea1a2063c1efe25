/** Alias rules: a valid unique name, a non-empty chain of known, distinct deployments, each enabled one priced. */
import type { Tx, Queryable } from "../db/client.ts";
import { findDeploymentsByIds } from "../deployments/deployment.repo.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput, conflict, notFound } from "../graphql/errors.ts";
import { requirePattern } from "../graphql/validate.ts";
import { runConfigChange } from "../snapshots/config-change.ts";
import { loadPolicyState } from "../changes/policy-state.repo.ts";
import { newUnpricedRoutes, unpricedRoutesMessage, withWrites } from "../changes/unpriced-routes.ts";
import { ALIAS_NAME_PATTERN } from "./alias-name.ts";
import type { AliasInput } from "./alias.input.ts";
import { aliasExists, insertAlias, listAliasRows, replaceChain, type AliasRow } from "./alias.repo.ts";
import type { Alias } from "./alias.type.ts";

const MAX_CHAIN = 16;

function checkInput(input: AliasInput): void {
  requirePattern("name", input.name, ALIAS_NAME_PATTERN);
  if (input.deploymentIds.length === 0) throw badInput("deploymentIds", "must name at least one deployment");
  if (input.deploymentIds.length > MAX_CHAIN) throw badInput("deploymentIds", `must name at most ${MAX_CHAIN} deployments`);
  if (input.deploymentIds.some((id) => id.trim() === "")) throw badInput("deploymentIds", "must not contain an empty deployment id");
  if (new Set(input.deploymentIds).size !== input.deploymentIds.length) throw badInput("deploymentIds", "must not repeat a deployment");
}

async function requireDeployments(tx: Tx, ids: string[]): Promise<void> {
  const found = new Set((await findDeploymentsByIds(tx, ids)).map((d) => d.id));
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw notFound("deployment", missing);
}

/** Refuses a chain that would route the alias to an enabled deployment whose model has no price (changes/unpriced-routes.ts). */
async function requirePricedChain(tx: Tx, input: AliasInput): Promise<void> {
  const before = await loadPolicyState(tx);
  const after = withWrites(before, [{ entity: "alias", id: input.name, value: { deploymentIds: input.deploymentIds } }]);
  const unpriced = newUnpricedRoutes(before, after);
  if (unpriced.length > 0) throw badInput("deploymentIds", unpricedRoutesMessage(unpriced));
}

/** Attaches the deployment records, in chain order. */
export async function withDeployments(q: Queryable, rows: AliasRow[]): Promise<Alias[]> {
  const deployments = await findDeploymentsByIds(q, [...new Set(rows.flatMap((r) => r.deploymentIds))]);
  const byId = new Map(deployments.map((d) => [d.id, d]));
  return rows.map((r) => ({ ...r, deployments: r.deploymentIds.flatMap((id) => byId.get(id) ?? []) }));
}

export async function createAlias(ctx: GraphQLContext, input: AliasInput): Promise<Alias> {
  checkInput(input);
  return runConfigChange(ctx.deps, ctx.who, async (tx) => {
    if (await aliasExists(tx, input.name)) throw conflict(`an alias named ${input.name} already exists`);
    await requireDeployments(tx, input.deploymentIds);
    await requirePricedChain(tx, input);
    await insertAlias(tx, input.name);
    await replaceChain(tx, input.name, input.deploymentIds);
    const after = { name: input.name, deploymentIds: input.deploymentIds };
    const [alias] = await withDeployments(tx, [after]);
    return { result: alias!, audit: { action: "alias.create", target: input.name, after } };
  });
}

export async function updateAlias(ctx: GraphQLContext, input: AliasInput): Promise<Alias> {
  checkInput(input);
  return runConfigChange(ctx.deps, ctx.who, async (tx) => {
    const [before] = await listAliasRows(tx, input.name);
    if (!before) throw notFound("alias", input.name);
    await requireDeployments(tx, input.deploymentIds);
    await requirePricedChain(tx, input);
    await replaceChain(tx, input.name, input.deploymentIds);
    const after = { name: input.name, deploymentIds: input.deploymentIds };
    const [alias] = await withDeployments(tx, [after]);
    return { result: alias!, audit: { action: "alias.update", target: input.name, before, after } };
  });
}
