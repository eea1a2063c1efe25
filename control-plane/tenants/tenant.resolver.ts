import { Arg, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../graphql/context.ts";
import { CreateTenantInput } from "./tenant.input.ts";
import { findTenant, listTenants } from "./tenant.repo.ts";
import { createTenant } from "./tenant.service.ts";
import { Tenant } from "./tenant.type.ts";

@Resolver(() => Tenant)
export class TenantResolver {
  @Query(() => [Tenant])
  tenants(@Ctx() ctx: GraphQLContext): Promise<Tenant[]> {
    return listTenants(ctx.deps.sql);
  }

  @Query(() => Tenant, { nullable: true })
  tenant(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Tenant | null> {
    return findTenant(ctx.deps.sql, id);
  }

  @Mutation(() => Tenant)
  createTenant(@Arg("input", () => CreateTenantInput) input: CreateTenantInput, @Ctx() ctx: GraphQLContext): Promise<Tenant> {
    return createTenant(ctx, input);
  }
}
