import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../graphql/context.ts";
import { pageArgs, toPage } from "../graphql/page.ts";
import { listPrincipalsPage } from "./principal.repo.ts";
import { createPrincipal, grantRole, issueToken, revokeRole, revokeToken, withRoles } from "./principal.service.ts";
import {
  CreatePrincipalInput,
  IssuedToken,
  IssueTokenInput,
  Me,
  PrincipalConnection,
  PrincipalInfo,
  RevokedToken,
  RoleBindingInput,
} from "./principal.type.ts";

@Resolver()
export class PrincipalResolver {
  /** Who the bearer token belongs to. */
  @Query(() => Me)
  me(@Ctx() ctx: GraphQLContext): Me {
    const p = ctx.principal;
    return { id: p.id, bootstrap: p.bootstrap, roles: [...p.roles], tenantAdminOf: [...p.tenantRoots] };
  }

  @Query(() => PrincipalConnection)
  async principals(
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PrincipalConnection> {
    const page = pageArgs("principals", first, after);
    const rows = await listPrincipalsPage(ctx.deps.sql, page.after, page.limit + 1);
    const { items, nextCursor } = toPage("principals", rows, page.limit, (r) => r.id);
    return { items: await withRoles(ctx.deps.sql, items), nextCursor };
  }

  @Mutation(() => PrincipalInfo)
  createPrincipal(@Arg("input", () => CreatePrincipalInput) input: CreatePrincipalInput, @Ctx() ctx: GraphQLContext): Promise<PrincipalInfo> {
    return createPrincipal(ctx, input);
  }

  @Mutation(() => PrincipalInfo)
  grantRole(@Arg("input", () => RoleBindingInput) input: RoleBindingInput, @Ctx() ctx: GraphQLContext): Promise<PrincipalInfo> {
    return grantRole(ctx, input);
  }

  @Mutation(() => PrincipalInfo)
  revokeRole(@Arg("input", () => RoleBindingInput) input: RoleBindingInput, @Ctx() ctx: GraphQLContext): Promise<PrincipalInfo> {
    return revokeRole(ctx, input);
  }

  /** A short-lived JWT (at most 3600 s) for a principal; admin only. */
  @Mutation(() => IssuedToken)
  issueToken(@Arg("input", () => IssueTokenInput) input: IssueTokenInput, @Ctx() ctx: GraphQLContext): Promise<IssuedToken> {
    return issueToken(ctx, input);
  }

  @Mutation(() => RevokedToken)
  revokeToken(@Arg("jti", () => ID) jti: string, @Ctx() ctx: GraphQLContext): Promise<RevokedToken> {
    return revokeToken(ctx, jti);
  }
}
