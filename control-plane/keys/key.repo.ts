/** SQL for gateway keys. Only the SHA-256 of a secret is ever written. */
import type { Queryable } from "../db/client.ts";
import type { GatewayKey } from "./key.type.ts";

const COLUMNS = `id, tenant_id as "tenantId", name, prefix, status, created_at as "createdAt",
  expires_at as "expiresAt", revoked_at as "revokedAt", allowed_aliases as "allowedAliases"`;

export async function listKeys(q: Queryable, tenantId: string): Promise<GatewayKey[]> {
  return [...(await q.unsafe<GatewayKey[]>(`select ${COLUMNS} from gateway_keys where tenant_id = $1 order by created_at, id`, [tenantId]))];
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
}

export async function insertKey(q: Queryable, k: NewKeyRow): Promise<GatewayKey> {
  const [row] = await q<GatewayKey[]>`
    insert into gateway_keys (id, tenant_id, name, prefix, key_hash, expires_at, allowed_aliases)
    values (${k.id}, ${k.tenantId}, ${k.name}, ${k.prefix}, ${k.keyHash}, ${k.expiresAt},
            ${k.allowedAliases === null ? null : q.array(k.allowedAliases)})
    returning id, tenant_id as "tenantId", name, prefix, status, created_at as "createdAt",
      expires_at as "expiresAt", revoked_at as "revokedAt", allowed_aliases as "allowedAliases"`;
  return row!;
}

export async function markRevoked(q: Queryable, id: string): Promise<GatewayKey> {
  const [row] = await q.unsafe<GatewayKey[]>(
    `update gateway_keys set status = 'revoked', revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${COLUMNS}`,
    [id],
  );
  return row!;
}
