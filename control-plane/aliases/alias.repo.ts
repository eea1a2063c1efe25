/** SQL for aliases and their ordered deployment chains. */
import type { Queryable } from "../db/client.ts";

export interface AliasRow {
  name: string;
  deploymentIds: string[];
}

export async function listAliasRows(q: Queryable, name?: string): Promise<AliasRow[]> {
  const rows = await q<{ name: string; deploymentId: string | null }[]>`
    select a.name, ad.deployment_id as "deploymentId"
    from aliases a left join alias_deployments ad on ad.alias_name = a.name
    where ${name === undefined ? q`true` : q`a.name = ${name}`}
    order by a.name, ad.position`;
  const byName = new Map<string, string[]>();
  for (const row of rows) {
    const chain = byName.get(row.name) ?? [];
    if (row.deploymentId) chain.push(row.deploymentId);
    byName.set(row.name, chain);
  }
  return [...byName].map(([alias, deploymentIds]) => ({ name: alias, deploymentIds }));
}

export async function aliasExists(q: Queryable, name: string): Promise<boolean> {
  const [row] = await q`select 1 from aliases where name = ${name}`;
  return row !== undefined;
}

export async function insertAlias(q: Queryable, name: string): Promise<void> {
  await q`insert into aliases (name) values (${name})`;
}

/** Replaces the chain of an alias with `deploymentIds`, in order. */
export async function replaceChain(q: Queryable, name: string, deploymentIds: string[]): Promise<void> {
  await q`delete from alias_deployments where alias_name = ${name}`;
  for (const [position, deploymentId] of deploymentIds.entries()) {
    await q`insert into alias_deployments (alias_name, position, deployment_id) values (${name}, ${position}, ${deploymentId})`;
  }
}
