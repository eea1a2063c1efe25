/** SQL for tenants. */
import type { Queryable } from "../db/client.ts";
import type { Tenant } from "./tenant.type.ts";

const COLUMNS = `id, name, status, created_at as "createdAt"`;

export async function listTenants(q: Queryable): Promise<Tenant[]> {
  return [...(await q.unsafe<Tenant[]>(`select ${COLUMNS} from tenants order by created_at, id`))];
}

export async function findTenant(q: Queryable, id: string): Promise<Tenant | null> {
  const [row] = await q.unsafe<Tenant[]>(`select ${COLUMNS} from tenants where id = $1`, [id]);
  return row ?? null;
}

export async function findTenantByName(q: Queryable, name: string): Promise<Tenant | null> {
  const [row] = await q.unsafe<Tenant[]>(`select ${COLUMNS} from tenants where name = $1`, [name]);
  return row ?? null;
}

export async function insertTenant(q: Queryable, id: string, name: string): Promise<Tenant> {
  const [row] = await q.unsafe<Tenant[]>(`insert into tenants (id, name) values ($1, $2) returning ${COLUMNS}`, [id, name]);
  return row!;
}
