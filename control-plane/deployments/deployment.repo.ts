/** SQL for provider deployments. */
import type { Queryable } from "../db/client.ts";
import { TIMEOUT_COLUMNS, timeoutColumns, timeoutsFromRow } from "./deployment-timeouts.ts";
import type { Deployment } from "./deployment.type.ts";

const COLUMNS = `id, provider, base_url as "baseUrl", model, region, credential_ref as "credentialRef", jurisdiction, flags, status,
  created_at as "createdAt", ${TIMEOUT_COLUMNS}`;

type Row = Omit<Deployment, "timeouts"> & { connectMs: number | null; firstByteMs: number | null; totalMs: number | null };

/** A row → the deployment, its timeout columns folded into `timeouts` (absent when none is set). */
function fromRow({ connectMs, firstByteMs, totalMs, ...d }: Row): Deployment {
  const timeouts = timeoutsFromRow({ connectMs, firstByteMs, totalMs });
  return timeouts ? { ...d, timeouts } : d;
}

export async function listDeployments(q: Queryable): Promise<Deployment[]> {
  return (await q.unsafe<Row[]>(`select ${COLUMNS} from deployments order by created_at, id`)).map(fromRow);
}

export async function findDeploymentsByIds(q: Queryable, ids: string[]): Promise<Deployment[]> {
  if (ids.length === 0) return [];
  const rows = await q<Row[]>`
    select id, provider, base_url as "baseUrl", model, region, credential_ref as "credentialRef", jurisdiction, flags, status,
      created_at as "createdAt", connect_timeout_ms as "connectMs", first_byte_timeout_ms as "firstByteMs", total_timeout_ms as "totalMs"
    from deployments where id in ${q(ids)}`;
  return rows.map(fromRow);
}

export async function insertDeployment(q: Queryable, d: Omit<Deployment, "createdAt" | "status">): Promise<Deployment> {
  const [row] = await q.unsafe<Row[]>(
    `insert into deployments (id, provider, base_url, model, region, credential_ref, jurisdiction, flags, connect_timeout_ms, first_byte_timeout_ms, total_timeout_ms)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning ${COLUMNS}`,
    [d.id, d.provider, d.baseUrl, d.model, d.region, d.credentialRef, d.jurisdiction, d.flags, ...timeoutColumns(d.timeouts)] as never[],
  );
  return fromRow(row!);
}
