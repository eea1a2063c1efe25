/** Key rules: the tenant must exist, the secret is shown once, revocation is idempotent. */
import { gatewayKeyDisplayPrefix, hashSecret, newGatewayKey, newId } from "../../shared/ids.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput, notFound } from "../graphql/errors.ts";
import { requireText } from "../graphql/validate.ts";
import { ALIAS_NAME_PATTERN } from "../aliases/alias-name.ts";
import { runConfigChange } from "../snapshots/config-change.ts";
import { findTenant } from "../tenants/tenant.repo.ts";
import type { CreateKeyInput } from "./key.input.ts";
import { findKey, insertKey, markRevoked } from "./key.repo.ts";
import type { CreatedKey, GatewayKey } from "./key.type.ts";

function checkAllowedAliases(value: string[] | null | undefined): string[] | null {
  if (value === null || value === undefined) return null;
  for (const [i, name] of value.entries()) {
    if (!ALIAS_NAME_PATTERN.test(name)) throw badInput(`allowedAliases[${i}]`, `must match ${ALIAS_NAME_PATTERN.source}`);
  }
  return [...new Set(value)];
}

export async function createKey(ctx: GraphQLContext, input: CreateKeyInput): Promise<CreatedKey> {
  const name = requireText("name", input.name, 100);
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt && expiresAt.getTime() <= Date.now()) throw badInput("expiresAt", "must be in the future");
  const allowedAliases = checkAllowedAliases(input.allowedAliases);
  const secret = newGatewayKey();
  return runConfigChange(ctx.deps, ctx.actor, async (tx) => {
    if (!(await findTenant(tx, input.tenantId))) throw notFound("tenant", input.tenantId);
    const key = await insertKey(tx, {
      id: newId("key"),
      tenantId: input.tenantId,
      name,
      prefix: gatewayKeyDisplayPrefix(secret),
      keyHash: hashSecret(secret),
      expiresAt,
      allowedAliases,
    });
    return { result: { key, secret }, audit: { action: "key.create", target: key.id, after: key } };
  });
}

export async function revokeKey(ctx: GraphQLContext, id: string): Promise<GatewayKey> {
  return runConfigChange(ctx.deps, ctx.actor, async (tx) => {
    const before = await findKey(tx, id);
    if (!before) throw notFound("key", id);
    const after = await markRevoked(tx, id);
    return { result: after, audit: { action: "key.revoke", target: id, before, after } };
  });
}
