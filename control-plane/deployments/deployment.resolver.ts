import { Arg, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import { badInput } from "../graphql/errors.ts";
import { pageInMemory } from "../graphql/page.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { CreateDeploymentInput } from "./deployment.input.ts";
import { listDeployments } from "./deployment.repo.ts";
import { createDeployment, PROVIDER_KINDS } from "./deployment.service.ts";
import { Deployment, DeploymentConnection } from "./deployment.type.ts";

/** The statuses a deployment has (deployment.disable / deployment.enable). */
const DEPLOYMENT_STATUSES = ["active", "disabled"];

/** A closed-set filter's value: null when omitted, else one of `allowed`, else BAD_USER_INPUT (not an empty page). */
function filterValue(field: string, value: string | null | undefined, allowed: readonly string[]): string | null {
  if (value === null || value === undefined) return null;
  if (!allowed.includes(value)) throw badInput(field, `must be one of ${allowed.join(", ")}`);
  return value;
}

@Resolver(() => Deployment)
export class DeploymentResolver {
  /**
   * Deployments in id order, filtered by region, provider (one of PROVIDER_KINDS) and status (active |
   * disabled); a provider or status outside its set is BAD_USER_INPUT, not an empty page.
   */
  @Query(() => DeploymentConnection)
  async deployments(
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Arg("region", () => String, { nullable: true }) region: string | null,
    @Arg("provider", () => String, { nullable: true }) provider: string | null,
    @Arg("status", () => String, { nullable: true }) status: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DeploymentConnection> {
    const providerIs = filterValue("provider", provider, PROVIDER_KINDS);
    const statusIs = filterValue("status", status, DEPLOYMENT_STATUSES);
    const rows = (await listDeployments(ctx.deps.sql))
      .filter((d) => (!region || d.region === region) && (providerIs === null || d.provider === providerIs) && (statusIs === null || d.status === statusIs));
    return pageInMemory("deployments", rows, (d) => d.id, first, after);
  }

  @Mutation(() => Deployment)
  createDeployment(
    @Arg("input", () => CreateDeploymentInput) input: CreateDeploymentInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Deployment> {
    return createDeployment(ctx, input);
  }
}
