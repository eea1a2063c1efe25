import { Arg, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import { pageInMemory } from "../graphql/page.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { SetPriceInput } from "./price.input.ts";
import { listPrices } from "./price.repo.ts";
import { setPrice } from "./price.service.ts";
import { Price, PriceConnection } from "./price.type.ts";

@Resolver(() => Price)
export class PriceResolver {
  /** Prices by provider and model, optionally one provider's. */
  @Query(() => PriceConnection)
  async prices(
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Arg("provider", () => String, { nullable: true }) provider: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PriceConnection> {
    const rows = (await listPrices(ctx.deps.sql)).filter((p) => !provider || p.provider === provider);
    return pageInMemory("prices", rows, (p) => `${p.provider}:${p.model}`, first, after);
  }

  @Mutation(() => Price)
  setPrice(@Arg("input", () => SetPriceInput) input: SetPriceInput, @Ctx() ctx: GraphQLContext): Promise<Price> {
    return setPrice(ctx, input);
  }
}
