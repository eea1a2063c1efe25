/** SQL for provider deployments. */
import type { Queryable } from "../db/client.ts";
import type { Deployment } from "./deployment.type.ts";

const COLUMNS = `id, provider, base_url as "baseUrl", model, region, credential_ref as "credentialRef", jurisdiction, flags, status,
  created_at as "createdAt"`;

export async function listDeployments(q: Queryable): Promise<Deployment[]> {
  return [...(await q.unsafe<Deployment[]>(`select ${COLUMNS} from deployments order by created_at, id`))];
}

export async function findDeploymentsByIds(q: Queryable, ids: string[]): Promise<Deployment[]> {
  if (ids.length === 0) return [];
  return [...(await q<Deployment[]>`
    select id, provider, base_url as "baseUrl", model, region, credential_ref as "credentialRef", jurisdiction, flags, status,
      created_at as "createdAt"
    from deployments where id in ${q(ids)}`)];
}

export async function insertDeployment(q: Queryable, d: Omit<Deployment, "createdAt" | "status">): Promise<Deployment> {
  const [row] = await q.unsafe<Deployment[]>(
    `insert into deployments (id, provider, base_url, model, region, credential_ref, jurisdiction, flags)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${COLUMNS}`,
    [d.id, d.provider, d.baseUrl, d.model, d.region, d.credentialRef, d.jurisdiction, d.flags] as never[],
  );
  return row!;
}
