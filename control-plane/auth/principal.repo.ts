/** SQL for principals, role bindings and issued tokens. */
import type { Queryable } from "../db/client.ts";
import type { Role } from "./principal.ts";

export interface PrincipalRow {
  id: string;
  name: string;
  kind: string;
  status: string;
  createdAt: Date;
}
export interface RoleBindingRow {
  principalId: string;
  role: Role;
  /** null for global roles. */
  tenantId: string | null;
}

const COLUMNS = `id, name, kind, status, created_at as "createdAt"`;

export async function findPrincipal(q: Queryable, id: string): Promise<PrincipalRow | null> {
  const [row] = await q.unsafe<PrincipalRow[]>(`select ${COLUMNS} from principals where id = $1`, [id]);
  return row ?? null;
}

export async function findPrincipalByName(q: Queryable, name: string): Promise<PrincipalRow | null> {
  const [row] = await q.unsafe<PrincipalRow[]>(`select ${COLUMNS} from principals where name = $1`, [name]);
  return row ?? null;
}

export async function listPrincipalsPage(q: Queryable, after: string | null, limit: number): Promise<PrincipalRow[]> {
  return [...(await q.unsafe<PrincipalRow[]>(`select ${COLUMNS} from principals where id > $1 order by id limit $2`, [after ?? "", limit]))];
}

/** Who did an act and with which token (null: the bootstrap token), so an approval can be traced back to it. */
export interface Provenance {
  by: string;
  with: string | null;
}

export async function insertPrincipal(q: Queryable, p: { id: string; name: string; kind: string }, by: Provenance): Promise<PrincipalRow> {
  const [row] = await q.unsafe<PrincipalRow[]>(
    `insert into principals (id, name, kind, created_by, created_with) values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
    [p.id, p.name, p.kind, by.by, by.with] as never[],
  );
  return row!;
}

export async function bindingsFor(q: Queryable, principalIds: readonly string[]): Promise<RoleBindingRow[]> {
  if (principalIds.length === 0) return [];
  const rows = await q<{ principalId: string; role: Role; tenantId: string }[]>`
    select principal_id as "principalId", role, tenant_id as "tenantId" from role_bindings
    where principal_id in ${q(principalIds as string[])} order by principal_id, role, tenant_id`;
  return rows.map((r) => ({ ...r, tenantId: r.tenantId === "" ? null : r.tenantId }));
}

/** An existing binding keeps its `granted_by`: granting it again changes nothing. */
export async function insertBinding(q: Queryable, b: RoleBindingRow, by: Provenance): Promise<boolean> {
  const rows = await q`insert into role_bindings (principal_id, role, tenant_id, granted_by, granted_with)
    values (${b.principalId}, ${b.role}, ${b.tenantId ?? ""}, ${by.by}, ${by.with})
    on conflict do nothing returning 1`;
  return rows.length > 0;
}

export async function deleteBinding(q: Queryable, b: RoleBindingRow): Promise<boolean> {
  const rows = await q`delete from role_bindings where principal_id = ${b.principalId} and role = ${b.role} and tenant_id = ${b.tenantId ?? ""} returning 1`;
  return rows.length > 0;
}

/**
 * Records a token with who issued it and with which token, and its `issuers`: the token it was issued
 * with's issuers plus its own issuer (migration 0111), so rule 2 of changes/approval-is-authors.ts
 * reads one row instead of walking a chain that self-renewal grows by a token an hour; and when its
 * lineage started (migration 0113, token-lineage.ts).
 */
export async function insertIssuedToken(
  q: Queryable,
  t: { jti: string; principalId: string; expiresAt: Date; lineageStartedAt: Date },
  by: Provenance,
): Promise<void> {
  await q`insert into issued_tokens (jti, principal_id, expires_at, lineage_started_at, issued_by, issued_with, issuers)
    values (${t.jti}, ${t.principalId}, ${t.expiresAt}, ${t.lineageStartedAt}, ${by.by}, ${by.with}, array(
      select distinct x from unnest(coalesce((select issuers from issued_tokens where jti = ${by.with}::text), '{}') || ${by.by}::text) x
      where x is not null order by x))`;
}

export interface IssuedTokenRow {
  jti: string;
  principalId: string;
  issuedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

export async function findIssuedToken(q: Queryable, jti: string): Promise<IssuedTokenRow | null> {
  const [row] = await q<IssuedTokenRow[]>`select jti, principal_id as "principalId", issued_at as "issuedAt", expires_at as "expiresAt",
    revoked_at as "revokedAt" from issued_tokens where jti = ${jti}`;
  return row ?? null;
}

export async function markTokenRevoked(q: Queryable, jti: string): Promise<IssuedTokenRow> {
  const [row] = await q<IssuedTokenRow[]>`update issued_tokens set revoked_at = coalesce(revoked_at, now()) where jti = ${jti}
    returning jti, principal_id as "principalId", issued_at as "issuedAt", expires_at as "expiresAt", revoked_at as "revokedAt"`;
  return row!;
}

/** What principalForJti reads with a live token: its principal, roles, issuer, kind and lineage's start. */
interface TokenPrincipal {
  id: string;
  bindings: RoleBindingRow[];
  issuedBy: string | null;
  kind: string;
  lineageStartedAt: Date;
}

/**
 * The principal behind a live token: signed, recorded, not revoked, not expired, principal active. One
 * statement, with what issueToken needs of the caller under the config lock (its kind: who-may-issue.ts;
 * its token's lineage start: token-lineage.ts), so it reads neither row again.
 */
export async function principalForJti(q: Queryable, jti: string, principalId: string): Promise<TokenPrincipal | null> {
  const rows = await q<{ id: string; role: Role | null; tenantId: string | null; issuedBy: string | null; kind: string; lineageStartedAt: Date }[]>`
    select p.id, rb.role, rb.tenant_id as "tenantId", t.issued_by as "issuedBy", p.kind, t.lineage_started_at as "lineageStartedAt"
    from issued_tokens t join principals p on p.id = t.principal_id
    left join role_bindings rb on rb.principal_id = p.id
    where t.jti = ${jti} and t.principal_id = ${principalId} and t.revoked_at is null and t.expires_at > now() and p.status = 'active'`;
  if (rows.length === 0) return null;
  const bindings = rows.flatMap((r) => (r.role ? [{ principalId: r.id, role: r.role, tenantId: r.tenantId === "" ? null : r.tenantId }] : []));
  const { id, issuedBy, kind, lineageStartedAt } = rows[0]!;
  return { id, bindings, issuedBy, kind, lineageStartedAt };
}
