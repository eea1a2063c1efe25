import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { requireVisibleTenant } from "../auth/access.ts";
import { TENANT_READERS } from "../auth/field-policy.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput, notFound } from "../graphql/errors.ts";
import { pageArgs, toPage } from "../graphql/page.ts";
import { Tenant } from "../tenants/tenant.type.ts";
import { CreateKeyInput, RotateKeyInput } from "./key.input.ts";
import { listKeysPage } from "./key.repo.ts";
import { createKey, revokeKey, rotateKey } from "./key.service.ts";
import { CreatedKey, GatewayKey, KeyConnection } from "./key.type.ts";

/** The statuses a key reads (key.repo.ts: `expired` is an active key past its expiry). */
const KEY_STATUSES = ["active", "revoked", "expired"];

@Resolver(() => GatewayKey)
export class KeyResolver {
  /**
   * A tenant's keys in id order, optionally by status (active | revoked | expired; any other value is
   * BAD_USER_INPUT, not an empty page). A String, not an enum, so existing queries passing a String
   * variable or a quoted literal keep working.
   */
  @Query(() => KeyConnection)
  async keys(
    @Arg("tenantId", () => ID) tenantId: string,
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Arg("status", () => String, { nullable: true }) status: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<KeyConnection> {
    const page = pageArgs("keys", first, after);
    // Omitted nullable arguments arrive as undefined.
    status ??= null;
    if (status !== null && !KEY_STATUSES.includes(status)) throw badInput("status", `must be one of ${KEY_STATUSES.join(", ")}`);
    await requireVisibleTenant(ctx, TENANT_READERS, tenantId);
    if (!(await ctx.loaders.tenant.load(tenantId))) throw notFound("tenant", tenantId);
    return toPage("keys", await listKeysPage(ctx.deps.sql, tenantId, status, page.after, page.limit + 1), page.limit, (k) => k.id);
  }

  /** Batched: a page of keys asks for its tenants in one statement. */
  @FieldResolver(() => Tenant)
  async tenant(@Root() key: GatewayKey, @Ctx() ctx: GraphQLContext): Promise<Tenant> {
    return (await ctx.loaders.tenant.load(key.tenantId))!;
  }

  @Mutation(() => CreatedKey)
  createKey(@Arg("input", () => CreateKeyInput) input: CreateKeyInput, @Ctx() ctx: GraphQLContext): Promise<CreatedKey> {
    return createKey(ctx, input);
  }

  @Mutation(() => GatewayKey, {
    description:
      "Revokes the key: every secret of its lineage (a rotated-away secret still in its grace too) leaves every region's next snapshot. " +
      "Given a rotated-away id (one with `rotatedTo`), revokes only that secret: its grace ends now and the key goes on under its newer secret. " +
      "A secret already past its expiry (a grace over) is dead and left as it reads, `expired`, the one named too. " +
      "Idempotent; audited as `key.revoke` naming the ids revoked (`revokedKeyIds`).",
  })
  revokeKey(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<GatewayKey> {
    return revokeKey(ctx, id);
  }

  /** A new secret for the key; the old one keeps working for graceHours (default 24). */
  @Mutation(() => CreatedKey)
  rotateKey(@Arg("input", () => RotateKeyInput) input: RotateKeyInput, @Ctx() ctx: GraphQLContext): Promise<CreatedKey> {
    return rotateKey(ctx, input);
  }
}
