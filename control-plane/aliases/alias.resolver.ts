import { Arg, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import { pageInMemory } from "../graphql/page.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { AliasInput } from "./alias.input.ts";
import { listAliasRows } from "./alias.repo.ts";
import { createAlias, updateAlias, withDeployments } from "./alias.service.ts";
import { Alias, AliasConnection } from "./alias.type.ts";

@Resolver(() => Alias)
export class AliasResolver {
  /** Aliases by name, optionally only those whose chain uses a deployment; chains loaded in one statement per page. */
  @Query(() => AliasConnection)
  async aliases(
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Arg("deploymentId", () => String, { nullable: true }) deploymentId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AliasConnection> {
    const rows = (await listAliasRows(ctx.deps.sql)).filter((a) => !deploymentId || a.deploymentIds.includes(deploymentId));
    const page = pageInMemory("aliases", rows, (a) => a.name, first, after);
    return { items: await withDeployments(ctx.deps.sql, page.items), nextCursor: page.nextCursor };
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
