import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../graphql/context.ts";
import { CreateDeploymentInput } from "./deployment.input.ts";
import { listDeployments } from "./deployment.repo.ts";
import { createDeployment } from "./deployment.service.ts";
import { Deployment } from "./deployment.type.ts";

@Resolver(() => Deployment)
export class DeploymentResolver {
  @Query(() => [Deployment])
  deployments(@Ctx() ctx: GraphQLContext): Promise<Deployment[]> {
    return listDeployments(ctx.deps.sql);
  }

  @Mutation(() => Deployment)
  createDeployment(
    @Arg("input", () => CreateDeploymentInput) input: CreateDeploymentInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Deployment> {
    return createDeployment(ctx, input);
  }
}
