import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../graphql/context.ts";
import { AliasInput } from "./alias.input.ts";
import { listAliasRows } from "./alias.repo.ts";
import { createAlias, updateAlias, withDeployments } from "./alias.service.ts";
import { Alias } from "./alias.type.ts";

@Resolver(() => Alias)
export class AliasResolver {
  @Query(() => [Alias])
  async aliases(@Ctx() ctx: GraphQLContext): Promise<Alias[]> {
    return withDeployments(ctx.deps.sql, await listAliasRows(ctx.deps.sql));
  }

  @Mutation(() => Alias)
  createAlias(@Arg("input", () => AliasInput) input: AliasInput, @Ctx() ctx: GraphQLContext): Promise<Alias> {
    return createAlias(ctx, input);
  }

  @Mutation(() => Alias)
  updateAlias(@Arg("input", () => AliasInput) input: AliasInput, @Ctx() ctx: GraphQLContext): Promise<Alias> {
    return updateAlias(ctx, input);
  }
}
