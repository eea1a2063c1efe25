import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";

@ObjectType()
export class RoleBinding {
  @Field(() => String) role: string;
  /** The subtree root for tenant_admin; null for the global roles. */
  @Field(() => ID, { nullable: true }) tenantId: string | null;
}

@ObjectType()
export class PrincipalInfo {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  /** person | service */
  @Field(() => String) kind: string;
  @Field(() => String) status: string;
  @Field(() => DateTimeResolver) createdAt: Date;
  @Field(() => [RoleBinding]) roles: RoleBinding[];
}

@ObjectType()
export class PrincipalConnection {
  @Field(() => [PrincipalInfo]) items: PrincipalInfo[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}

@ObjectType()
export class Me {
  @Field(() => ID) id: string;
  /** True for the bootstrap admin token. */
  @Field(() => Boolean) bootstrap: boolean;
  @Field(() => [String]) roles: string[];
  @Field(() => [ID]) tenantAdminOf: string[];
}

@ObjectType()
export class IssuedToken {
  /** The bearer token; shown once. */
  @Field(() => String) token: string;
  @Field(() => ID) jti: string;
  @Field(() => DateTimeResolver) expiresAt: Date;
}

@ObjectType()
export class RevokedToken {
  @Field(() => ID) jti: string;
  @Field(() => DateTimeResolver) revokedAt: Date;
}

@InputType()
export class CreatePrincipalInput {
  @Field(() => String) name: string;
  /** person | service */
  @Field(() => String) kind: string;
}

@InputType()
export class RoleBindingInput {
  @Field(() => ID) principalId: string;
  /** admin | approver | finance | viewer | tenant_admin */
  @Field(() => String) role: string;
  /** Required for tenant_admin (the subtree root), refused for the others. */
  @Field(() => ID, { nullable: true }) tenantId?: string | null;
}

@InputType()
export class IssueTokenInput {
  @Field(() => ID) principalId: string;
  /** 1..3600 */
  @Field(() => Int) ttlSeconds: number;
}
