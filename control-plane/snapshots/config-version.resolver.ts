import { Ctx, Int, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../graphql/context.ts";

@Resolver()
export class ConfigVersionResolver {
  /** The latest configuration version (0 before the first change). */
  @Query(() => Int)
  async configVersion(@Ctx() ctx: GraphQLContext): Promise<number> {
    const [row] = await ctx.deps.sql<{ version: number | null }[]>`select max(version) as version from config_versions`;
    return row?.version ?? 0;
  }
}
