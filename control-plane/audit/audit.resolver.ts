import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput } from "../graphql/errors.ts";
import { latestAuditEntries } from "./audit-read.repo.ts";
import { AuditChainVerdict, AuditEntry } from "./audit.type.ts";
import { verifyAuditChain } from "./verify-audit-chain.ts";

const MAX_LIMIT = 500;

@Resolver(() => AuditEntry)
export class AuditResolver {
  /** The newest audit entries first. */
  @Query(() => [AuditEntry])
  auditLog(@Arg("limit", () => Int, { defaultValue: 50 }) limit: number, @Ctx() ctx: GraphQLContext): Promise<AuditEntry[]> {
    if (limit < 1 || limit > MAX_LIMIT) throw badInput("limit", `must be between 1 and ${MAX_LIMIT}`);
    return latestAuditEntries(ctx.deps.sql, limit);
  }

  /** Recomputes the whole hash chain; `brokenAt` names the first row that was altered or removed after. */
  @Query(() => AuditChainVerdict)
  verifyAuditChain(@Ctx() ctx: GraphQLContext): Promise<AuditChainVerdict> {
    return verifyAuditChain(ctx.deps.sql);
  }
}
