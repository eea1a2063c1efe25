import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import { visibleTenants } from "../auth/access.ts";
import { TENANT_READERS } from "../auth/field-policy.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput, notFound } from "../graphql/errors.ts";
import { pageArgs, toPage } from "../graphql/page.ts";
import { listChangeRequestsPage, type ChangeStatus } from "./change-request.repo.ts";
import { approveChange, canSee, proposeChange, proposeRollback, rejectChange, withdrawChange } from "./change-request.service.ts";
import { findChangeRequest } from "./change-request.repo.ts";
import {
  ChangeApproval,
  ChangeRequest,
  ChangeRequestConnection,
  KillSwitchResult,
  KillSwitchTarget,
  ProposeChangeInput,
} from "./change-request.type.ts";
import { killSwitch } from "./kill-switch.service.ts";

const STATUSES = ["pending", "approved", "scheduled", "applied", "rejected", "withdrawn", "stale"];

@Resolver(() => ChangeRequest)
export class ChangeRequestResolver {
  @Query(() => ChangeRequestConnection)
  async changeRequests(
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Arg("status", () => String, { nullable: true }) status: string | null,
    @Arg("author", () => String, { nullable: true }) author: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChangeRequestConnection> {
    const page = pageArgs("changeRequests", first, after);
    // Omitted nullable arguments arrive as undefined.
    status ??= null;
    author ??= null;
    if (status !== null && !STATUSES.includes(status)) throw badInput("status", `must be one of ${STATUSES.join(", ")}`);
    const visible = await visibleTenants(ctx, TENANT_READERS);
    const rows = await listChangeRequestsPage(
      ctx.deps.sql,
      { status: status as ChangeStatus | null, author, withinTenants: visible ? [...visible] : null },
      page.after,
      page.limit + 1,
    );
    return toPage("changeRequests", rows, page.limit, (r) => r.id);
  }

  @Query(() => ChangeRequest)
  async changeRequest(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ChangeRequest> {
    const cr = await findChangeRequest(ctx.deps.sql, id);
    if (!cr || !(await canSee(ctx, cr))) throw notFound("change request", id);
    return cr;
  }

  /** Batched across a page of requests. */
  @FieldResolver(() => [ChangeApproval])
  approvals(@Root() cr: ChangeRequest, @Ctx() ctx: GraphQLContext): Promise<ChangeApproval[]> {
    return ctx.loaders.approvals.load(cr.id);
  }

  /** Proposes routing-policy changes; nothing applies until approved by someone else. */
  @Mutation(() => ChangeRequest)
  proposeChange(@Arg("input", () => ProposeChangeInput) input: ProposeChangeInput, @Ctx() ctx: GraphQLContext): Promise<ChangeRequest> {
    return proposeChange(ctx, input);
  }

  /** Proposes reverting the routing policy to an earlier config version; the diff shows what reverts. */
  @Mutation(() => ChangeRequest)
  proposeRollback(
    @Arg("toVersion", () => Int) toVersion: number,
    @Arg("description", () => String, { nullable: true }) description: string | null,
    @Arg("applyAt", () => DateTimeResolver, { nullable: true }) applyAt: Date | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChangeRequest> {
    return proposeRollback(ctx, toVersion, description ?? null, applyAt ?? null);
  }

  @Mutation(() => ChangeRequest)
  approveChange(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ChangeRequest> {
    return approveChange(ctx, id);
  }

  @Mutation(() => ChangeRequest)
  rejectChange(
    @Arg("id", () => ID) id: string,
    @Arg("reason", () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChangeRequest> {
    return rejectChange(ctx, id, reason ?? null);
  }

  @Mutation(() => ChangeRequest)
  withdrawChange(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ChangeRequest> {
    return withdrawChange(ctx, id);
  }

  /** Break-glass: disables at once, without approval; audited with breakGlass: true. */
  @Mutation(() => KillSwitchResult, {
    description:
      "Break-glass: disables a provider's deployments, a deployment, a key or a tenant at once, without approval, audited with breakGlass: true. " +
      "A key's switch revokes every live secret of its lineage, whichever of its ids is named (a rotated-away secret in its grace too; one whose grace is over is dead and left as it reads), and `affected` counts them; its audit row names them (`revokedKeyIds`).",
  })
  killSwitch(
    @Arg("target", () => KillSwitchTarget) target: KillSwitchTarget,
    @Arg("reason", () => String) reason: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<KillSwitchResult> {
    return killSwitch(ctx, target, reason);
  }
}
