import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../graphql/context.ts";
import { SetPriceInput } from "./price.input.ts";
import { listPrices } from "./price.repo.ts";
import { setPrice } from "./price.service.ts";
import { Price } from "./price.type.ts";

@Resolver(() => Price)
export class PriceResolver {
  @Query(() => [Price])
  prices(@Ctx() ctx: GraphQLContext): Promise<Price[]> {
    return listPrices(ctx.deps.sql);
  }

  @Mutation(() => Price)
  setPrice(@Arg("input", () => SetPriceInput) input: SetPriceInput, @Ctx() ctx: GraphQLContext): Promise<Price> {
    return setPrice(ctx, input);
  }
}
