import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput } from "../graphql/errors.ts";
import { pageArgs, toPage } from "../graphql/page.ts";
import { latestAuditEntries } from "./audit-read.repo.ts";
import { AuditChainVerdict, AuditConnection, AuditEntry } from "./audit.type.ts";
import { verifyAuditChain } from "./verify-audit-chain.ts";

const MAX_BIGINT = 9_223_372_036_854_775_807n;

@Resolver(() => AuditEntry)
export class AuditResolver {
  /**
   * The newest audit entries first, filtered by actor, action (exact, or a prefix ending in "."), target and time [from, to).
   * A target matches a row's own target and any change request row (propose, rollback, apply) whose diff names it.
   */
  @Query(() => AuditConnection)
  async auditLog(
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Arg("actor", () => String, { nullable: true }) actor: string | null,
    @Arg("action", () => String, { nullable: true }) action: string | null,
    @Arg("target", () => String, { nullable: true }) target: string | null,
    @Arg("from", () => DateTimeResolver, { nullable: true }) from: Date | null,
    @Arg("to", () => DateTimeResolver, { nullable: true }) to: Date | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuditConnection> {
    const page = pageArgs("auditLog", first, after);
    // Nineteen digits can still overflow bigint (max 9223372036854775807): compare as a BigInt.
    if (page.after !== null && (!/^[0-9]{1,19}$/.test(page.after) || BigInt(page.after) > MAX_BIGINT)) throw badInput("after", "is not a cursor from this API");
    if (from && to && from.getTime() >= to.getTime()) throw badInput("to", "must be after from");
    const rows = await latestAuditEntries(ctx.deps.sql, { actor, action, target, from, to }, page.after, page.limit + 1);
    return toPage("auditLog", rows, page.limit, (r) => r.id);
  }

  /** Recomputes the whole hash chain; `brokenAt` names the first row that was altered or removed after. */
  @Query(() => AuditChainVerdict)
  verifyAuditChain(@Ctx() ctx: GraphQLContext): Promise<AuditChainVerdict> {
    return verifyAuditChain(ctx.deps.sql);
  }
}
