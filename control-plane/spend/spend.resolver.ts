import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import type { GraphQLContext } from "../graphql/context.ts";
import { getSpend } from "./spend.service.ts";
import { Spend } from "./spend.type.ts";

@Resolver(() => Spend)
export class SpendResolver {
  /** Usage of one tenant with `from <= time < to`. */
  @Query(() => Spend)
  spend(
    @Arg("tenantId", () => ID) tenantId: string,
    @Arg("from", () => DateTimeResolver) from: Date,
    @Arg("to", () => DateTimeResolver) to: Date,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Spend> {
    return getSpend(ctx, tenantId, from, to);
  }
}
