/** SQL for gateway keys. Only the SHA-256 of a secret is ever written. */
import type { Queryable } from "../db/client.ts";
import type { GatewayKey } from "./key.type.ts";

/** `status` reads `expired` for an active key past its expiry. */
const COLUMNS = `id, tenant_id as "tenantId", name, prefix,
  case when status = 'active' and expires_at is not null and expires_at <= now() then 'expired' else status end as status,
  created_at as "createdAt", expires_at as "expiresAt", revoked_at as "revokedAt", last_used_at as "lastUsedAt",
  allowed_aliases as "allowedAliases", allowed_regions as "allowedRegions", rotated_to as "rotatedTo", lineage_id as "lineageId",
  rpm::float8 as rpm, tpm::float8 as tpm, (daily_budget_micros::float8 / 1000000) as "dailyBudgetUsd",
  (monthly_budget_micros::float8 / 1000000) as "monthlyBudgetUsd"`;

export async function listKeysPage(q: Queryable, tenantId: string, status: string | null, after: string | null, limit: number): Promise<GatewayKey[]> {
  return [
    ...(await q.unsafe<GatewayKey[]>(
      `select * from (select ${COLUMNS} from gateway_keys where tenant_id = $1 and id > $2) k
       where ($3::text is null or status = $3) order by id limit $4`,
      [tenantId, after ?? "", status ?? null, limit] as never[],
    )),
  ];
}

export async function findKey(q: Queryable, id: string): Promise<GatewayKey | null> {
  const [row] = await q.unsafe<GatewayKey[]>(`select ${COLUMNS} from gateway_keys where id = $1`, [id]);
  return row ?? null;
}

export interface NewKeyRow {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  keyHash: string;
  expiresAt: Date | null;
  allowedAliases: string[] | null;
  allowedRegions: string[] | null;
  rpm: number | null;
  tpm: number | null;
  dailyBudgetMicros: number | null;
  monthlyBudgetMicros: number | null;
  /** The lineage a rotation continues (the old key's lineageId); absent = a new lineage, the key's own id. */
  lineageId?: string;
}

export async function insertKey(q: Queryable, k: NewKeyRow): Promise<GatewayKey> {
  await q`
    insert into gateway_keys (id, tenant_id, name, prefix, key_hash, expires_at, allowed_aliases, allowed_regions,
                              rpm, tpm, daily_budget_micros, monthly_budget_micros, lineage_id)
    values (${k.id}, ${k.tenantId}, ${k.name}, ${k.prefix}, ${k.keyHash}, ${k.expiresAt},
            ${k.allowedAliases === null ? null : q.array(k.allowedAliases)}, ${k.allowedRegions === null ? null : q.array(k.allowedRegions)},
            ${k.rpm}, ${k.tpm}, ${k.dailyBudgetMicros}, ${k.monthlyBudgetMicros}, ${k.lineageId ?? k.id})`;
  return (await findKey(q, k.id))!;
}

/**
 * Revokes key `id` and, with `wholeLineage`, every other secret of its lineage: the secrets joined to
 * it by lineage_id, and by rotated_to in either direction, followed from secret to secret. rotated_to
 * is needed because migration 0101_key_lineage.sql left each key that existed then its own lineage_id,
 * chains rotated before it included (their grace can run 720 h past the upgrade), and a later rotation
 * joins only the lineage of the key rotated. Only live secrets are revoked (active, not past their
 * expiry: a rotated-away secret in its grace): one whose grace is over is dead already (the snapshot
 * leaves it out) and is left as it reads, expired, the one named too. Each level of the walk looks keys up
 * by index (lineage_id, rotated_to: 0110_gateway_keys_rotated_to.sql; it runs under the config lock),
 * and it stays in the named key's tenant, as a rotation does, whatever odd data rotated_to holds. Answers the ids this revoked, in
 * id order: none when `id` was revoked before (revocation is idempotent, its revokedAt kept) or is dead.
 */
export async function revokeSecrets(q: Queryable, id: string, wholeLineage: boolean): Promise<string[]> {
  const rows = await q<{ id: string }[]>`
    with recursive chain (id, tenant_id, rotated_to, lineage_id) as (
      select id, tenant_id, rotated_to, lineage_id from gateway_keys where id = ${id}
      union
      select k.id, k.tenant_id, k.rotated_to, k.lineage_id
      from gateway_keys k join chain c
        on ${wholeLineage}::boolean and k.tenant_id = c.tenant_id
          and (k.lineage_id = c.lineage_id or k.rotated_to = c.id or k.id = c.rotated_to)
    )
    update gateway_keys set status = 'revoked', revoked_at = now()
    where id in (select id from chain)
      and status = 'active' and (expires_at is null or expires_at > now())
    returning id`;
  return rows.map((r) => r.id).sort();
}

/** Ends a rotated key's life at `expiresAt` and points it at its successor. */
export async function markRotated(q: Queryable, id: string, expiresAt: Date, rotatedTo: string): Promise<GatewayKey> {
  await q`update gateway_keys set expires_at = ${expiresAt}, rotated_to = ${rotatedTo} where id = ${id}`;
  return (await findKey(q, id))!;
}
