import { Arg, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../graphql/context.ts";
import { notFound } from "../graphql/errors.ts";
import { findTenant } from "../tenants/tenant.repo.ts";
import { CreateKeyInput } from "./key.input.ts";
import { listKeys } from "./key.repo.ts";
import { createKey, revokeKey } from "./key.service.ts";
import { CreatedKey, GatewayKey } from "./key.type.ts";

@Resolver(() => GatewayKey)
export class KeyResolver {
  @Query(() => [GatewayKey])
  async keys(@Arg("tenantId", () => ID) tenantId: string, @Ctx() ctx: GraphQLContext): Promise<GatewayKey[]> {
    if (!(await findTenant(ctx.deps.sql, tenantId))) throw notFound("tenant", tenantId);
    return listKeys(ctx.deps.sql, tenantId);
  }

  @Mutation(() => CreatedKey)
  createKey(@Arg("input", () => CreateKeyInput) input: CreateKeyInput, @Ctx() ctx: GraphQLContext): Promise<CreatedKey> {
    return createKey(ctx, input);
  }

  @Mutation(() => GatewayKey)
  revokeKey(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<GatewayKey> {
    return revokeKey(ctx, id);
  }
}
