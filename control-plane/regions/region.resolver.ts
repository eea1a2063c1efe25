import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../graphql/context.ts";
import { CreateRegionInput } from "./region.input.ts";
import { listRegions } from "./region.repo.ts";
import { createRegion } from "./region.service.ts";
import { CreatedRegion, Region } from "./region.type.ts";

@Resolver(() => Region)
export class RegionResolver {
  @Query(() => [Region])
  regions(@Ctx() ctx: GraphQLContext): Promise<Region[]> {
    return listRegions(ctx.deps.sql);
  }

  @Mutation(() => CreatedRegion)
  createRegion(@Arg("input", () => CreateRegionInput) input: CreateRegionInput, @Ctx() ctx: GraphQLContext): Promise<CreatedRegion> {
    return createRegion(ctx, input);
  }
}
