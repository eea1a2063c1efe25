import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { requireVisibleTenant, visibleTenants } from "../auth/access.ts";
import { TENANT_READERS } from "../auth/field-policy.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput, notFound } from "../graphql/errors.ts";
import { pageArgs, toPage } from "../graphql/page.ts";
import { CreateTenantInput } from "./tenant.input.ts";
import { listTenantsPage } from "./tenant.repo.ts";
import { TENANT_KINDS } from "./tenant-policy.ts";
import { createTenant, moveTenant } from "./tenant.service.ts";
import { FeatureLimit, Tenant, TenantConnection } from "./tenant.type.ts";

@Resolver(() => Tenant)
export class TenantResolver {
  /**
   * Tenants in id order; a tenant admin sees its subtree only. `kind` is one of TENANT_KINDS: any other
   * value is BAD_USER_INPUT, not an empty page (as keys(status:)).
   */
  @Query(() => TenantConnection)
  async tenants(
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Arg("parentId", () => ID, { nullable: true }) parentId: string | null,
    @Arg("kind", () => String, { nullable: true }) kind: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TenantConnection> {
    const page = pageArgs("tenants", first, after);
    // Omitted nullable arguments arrive as undefined.
    kind ??= null;
    if (kind !== null && !(TENANT_KINDS as readonly string[]).includes(kind)) throw badInput("kind", `must be one of ${TENANT_KINDS.join(", ")}`);
    const visible = await visibleTenants(ctx, TENANT_READERS);
    const rows = await listTenantsPage(ctx.deps.sql, { parentId, kind, within: visible ? [...visible] : null }, page.after, page.limit + 1);
    return toPage("tenants", rows, page.limit, (t) => t.id);
  }

  /** NOT_FOUND when missing or outside the caller's scope (the two are indistinguishable). */
  @Query(() => Tenant)
  async tenant(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Tenant> {
    await requireVisibleTenant(ctx, TENANT_READERS, id);
    const tenant = await ctx.loaders.tenant.load(id);
    if (!tenant) throw notFound("tenant", id);
    return tenant;
  }

  /** Rate limits per X-Feature-Id set on this tenant, sorted by feature; null inherits. */
  @FieldResolver(() => [FeatureLimit], { nullable: true })
  featureLimits(@Root() tenant: Tenant): FeatureLimit[] | null {
    if (!tenant.featureLimits) return null;
    return Object.entries(tenant.featureLimits)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([feature, l]) => ({ feature, rpm: l.rpm ?? null, tpm: l.tpm ?? null }));
  }

  @Mutation(() => Tenant)
  createTenant(@Arg("input", () => CreateTenantInput) input: CreateTenantInput, @Ctx() ctx: GraphQLContext): Promise<Tenant> {
    return createTenant(ctx, input);
  }

  @Mutation(() => Tenant)
  moveTenant(
    @Arg("id", () => ID) id: string,
    @Arg("parentId", () => ID, { nullable: true }) parentId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Tenant> {
    return moveTenant(ctx, id, parentId ?? null);
  }
}
