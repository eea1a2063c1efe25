import { Arg, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import { pageInMemory } from "../graphql/page.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { CreateDeploymentInput } from "./deployment.input.ts";
import { listDeployments } from "./deployment.repo.ts";
import { createDeployment } from "./deployment.service.ts";
import { Deployment, DeploymentConnection } from "./deployment.type.ts";

@Resolver(() => Deployment)
export class DeploymentResolver {
  /** Deployments in id order, filtered by region, provider and status (active | disabled). */
  @Query(() => DeploymentConnection)
  async deployments(
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Arg("region", () => String, { nullable: true }) region: string | null,
    @Arg("provider", () => String, { nullable: true }) provider: string | null,
    @Arg("status", () => String, { nullable: true }) status: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DeploymentConnection> {
    const rows = (await listDeployments(ctx.deps.sql))
      .filter((d) => (!region || d.region === region) && (!provider || d.provider === provider) && (!status || d.status === status));
    return pageInMemory(rows, (d) => d.id, first, after);
  }

  @Mutation(() => Deployment)
  createDeployment(
    @Arg("input", () => CreateDeploymentInput) input: CreateDeploymentInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Deployment> {
    return createDeployment(ctx, input);
  }
}
