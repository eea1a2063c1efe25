import { Arg, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import { pageInMemory } from "../graphql/page.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { CreateRegionInput, UpdateRegionInput } from "./region.input.ts";
import { listRegions } from "./region.repo.ts";
import { createRegion, rotateRegionToken, updateRegion } from "./region.service.ts";
import { CreatedRegion, Region, RegionConnection, RotatedRegionToken } from "./region.type.ts";

@Resolver(() => Region)
export class RegionResolver {
  /** Regions by name with the proxies seen polling each (two statements per page). */
  @Query(() => RegionConnection)
  async regions(
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RegionConnection> {
    return pageInMemory("regions", await listRegions(ctx.deps.sql), (r) => r.name, first, after);
  }

  @Mutation(() => CreatedRegion)
  createRegion(@Arg("input", () => CreateRegionInput) input: CreateRegionInput, @Ctx() ctx: GraphQLContext): Promise<CreatedRegion> {
    return createRegion(ctx, input);
  }

  /** Sets or clears a region's public URL (admin only; audited, republishes every snapshot). */
  @Mutation(() => Region)
  updateRegion(@Arg("input", () => UpdateRegionInput) input: UpdateRegionInput, @Ctx() ctx: GraphQLContext): Promise<Region> {
    return updateRegion(ctx, input);
  }

  /**
   * Issues a region a new proxy token (shown once); the previous one is still accepted for graceMinutes
   * (default 60, 0 revokes it at once, at most a week) so running proxies can be redeployed. Admin only; audited.
   */
  @Mutation(() => RotatedRegionToken)
  rotateRegionToken(
    @Arg("name", () => String) name: string,
    @Arg("graceMinutes", () => Int, { nullable: true }) graceMinutes: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RotatedRegionToken> {
    return rotateRegionToken(ctx, name, graceMinutes);
  }
}
