/** SQL for tenants and the tenant tree. */
import type { Queryable } from "../db/client.ts";
import type { Tenant } from "./tenant.type.ts";

const COLUMNS = `id, name, status, kind, parent_id as "parentId", created_at as "createdAt", rpm::int as rpm, tpm::int as tpm,
  (daily_budget_micros::float8 / 1000000) as "dailyBudgetUsd", (monthly_budget_micros::float8 / 1000000) as "monthlyBudgetUsd",
  allowed_aliases as "allowedAliases", allowed_jurisdictions as "allowedJurisdictions", time_zone as "timeZone", key_ttl_days as "keyTtlDays",
  budget_fail_open as "budgetFailOpen", feature_limits as "featureLimits"`;

export interface TenantFilter {
  parentId?: string | null;
  kind?: string | null;
  /** Restrict to these ids (a tenant admin's subtree); null = all. */
  within?: string[] | null;
}

/** One page in id order; `limit` rows after the `after` id. */
export async function listTenantsPage(q: Queryable, filter: TenantFilter, after: string | null, limit: number): Promise<Tenant[]> {
  return [
    ...(await q.unsafe<Tenant[]>(
      `select ${COLUMNS} from tenants where id > $1 and ($2::text is null or parent_id = $2) and ($3::text is null or kind = $3)
         and ($4::text[] is null or id = any($4::text[])) order by id limit $5`,
      [after ?? "", filter.parentId ?? null, filter.kind ?? null, filter.within ?? null, limit] as never[],
    )),
  ];
}

export async function findTenant(q: Queryable, id: string): Promise<Tenant | null> {
  const [row] = await q.unsafe<Tenant[]>(`select ${COLUMNS} from tenants where id = $1`, [id]);
  return row ?? null;
}

export async function findTenantsByIds(q: Queryable, ids: readonly string[]): Promise<Tenant[]> {
  if (ids.length === 0) return [];
  return [...(await q.unsafe<Tenant[]>(`select ${COLUMNS} from tenants where id = any($1::text[])`, [ids as string[]] as never[]))];
}

/** Every tenant (the narrowing check walks whole subtrees in memory). */
export async function allTenants(q: Queryable): Promise<Tenant[]> {
  return [...(await q.unsafe<Tenant[]>(`select ${COLUMNS} from tenants`))];
}

/** The sibling named `name` under `parentId` (null: among the roots); names are unique per parent. */
export async function findSiblingByName(q: Queryable, parentId: string | null, name: string): Promise<Tenant | null> {
  const [row] = await q.unsafe<Tenant[]>(`select ${COLUMNS} from tenants where coalesce(parent_id, '') = coalesce($1, '') and name = $2`, [parentId, name] as never[]);
  return row ?? null;
}

export async function insertTenant(q: Queryable, t: { id: string; name: string; kind: string; parentId: string | null }): Promise<Tenant> {
  const [row] = await q.unsafe<Tenant[]>(`insert into tenants (id, name, kind, parent_id) values ($1, $2, $3, $4) returning ${COLUMNS}`, [
    t.id,
    t.name,
    t.kind,
    t.parentId,
  ] as never[]);
  return row!;
}

/** The ancestors of a tenant, nearest first (the tenant itself excluded). */
export async function ancestorsOf(q: Queryable, id: string): Promise<Tenant[]> {
  const chain = await q.unsafe<{ id: string; depth: number }[]>(
    `with recursive up(id, parent_id, depth) as (
       select id, parent_id, 0 from tenants where id = $1
       union all select t.id, t.parent_id, up.depth + 1 from tenants t join up on t.id = up.parent_id where up.depth < 64
     ) select id, depth from up where depth > 0 order by depth`,
    [id],
  );
  const rows = await findTenantsByIds(q, chain.map((c) => c.id));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return chain.flatMap((c) => byId.get(c.id) ?? []);
}

/** Levels below a tenant, 0 for a leaf. */
export async function subtreeHeight(q: Queryable, id: string): Promise<number> {
  const [row] = await q.unsafe<{ height: number }[]>(
    `with recursive down(id, depth) as (
       select id, 0 from tenants where id = $1
       union all select t.id, down.depth + 1 from tenants t join down on t.parent_id = down.id where down.depth < 64
     ) select max(depth)::int as height from down`,
    [id],
  );
  return row?.height ?? 0;
}

export async function setParent(q: Queryable, id: string, parentId: string | null): Promise<Tenant> {
  const [row] = await q.unsafe<Tenant[]>(`update tenants set parent_id = $2 where id = $1 returning ${COLUMNS}`, [id, parentId] as never[]);
  return row!;
}

export async function setTenantStatus(q: Queryable, id: string, status: "active" | "disabled"): Promise<Tenant> {
  const [row] = await q.unsafe<Tenant[]>(`update tenants set status = $2 where id = $1 returning ${COLUMNS}`, [id, status]);
  return row!;
}
