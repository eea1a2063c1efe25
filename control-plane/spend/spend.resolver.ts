import { Args, Ctx, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../graphql/context.ts";
import { SpendArgs } from "./spend.args.ts";
import { getSpend } from "./spend.service.ts";
import { Spend } from "./spend.type.ts";

@Resolver(() => Spend)
export class SpendResolver {
  /** Usage of one tenant with `from <= time < to`. */
  @Query(() => Spend)
  spend(@Args(() => SpendArgs) args: SpendArgs, @Ctx() ctx: GraphQLContext): Promise<Spend> {
    return getSpend(ctx, args.tenantId, args.from, args.to, args.top, args.skip);
  }
}
