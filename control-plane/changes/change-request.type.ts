import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { DateTimeResolver, JSONResolver } from "graphql-scalars";
import { AliasInput } from "../aliases/alias.input.ts";
import { DeploymentTimeoutsInput } from "../deployments/deployment.input.ts";
import { SetPriceInput } from "../pricing/price.input.ts";
import { TenantPolicyInput } from "../tenants/tenant.input.ts";

/** One changed field: entity is alias | deployment | price | tenantPolicy. */
@ObjectType()
export class ChangeDiffEntry {
  @Field(() => String) entity: string;
  @Field(() => String) id: string;
  @Field(() => String) field: string;
  @Field(() => JSONResolver, { nullable: true }) before: unknown;
  @Field(() => JSONResolver, { nullable: true }) after: unknown;
}

@ObjectType()
export class ChangeApproval {
  @Field(() => String) approver: string;
  @Field(() => DateTimeResolver) at: Date;
}

@ObjectType()
export class ChangeRequest {
  @Field(() => ID) id: string;
  @Field(() => String) author: string;
  /** pending | approved | scheduled | applied | rejected | withdrawn | stale */
  @Field(() => String) status: string;
  @Field(() => String) description: string;
  /** change | rollback */
  @Field(() => String) kind: string;
  @Field(() => [ChangeDiffEntry]) diff: ChangeDiffEntry[];
  /** The config version the request was proposed against. */
  @Field(() => Int) baseVersion: number;
  @Field(() => DateTimeResolver, { nullable: true }) applyAt: Date | null;
  /** The config version the request produced, once applied. */
  @Field(() => Int, { nullable: true }) appliedVersion: number | null;
  @Field(() => DateTimeResolver) createdAt: Date;
  @Field(() => DateTimeResolver, { nullable: true }) decidedAt: Date | null;
  @Field(() => String, { nullable: true }) decidedBy: string | null;
  @Field(() => String, { nullable: true }) reason: string | null;
}

@ObjectType()
export class ChangeRequestConnection {
  @Field(() => [ChangeRequest]) items: ChangeRequest[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}

@InputType()
export class DeploymentFieldsInput {
  @Field(() => String, { nullable: true }) provider?: string | null;
  @Field(() => String, { nullable: true }) baseUrl?: string | null;
  @Field(() => String, { nullable: true }) model?: string | null;
  @Field(() => String, { nullable: true }) region?: string | null;
  @Field(() => String, { nullable: true }) credentialRef?: string | null;
  /** e.g. "eu", "us"; where the vendor processes data. */
  @Field(() => String, { nullable: true }) jurisdiction?: string | null;
  /** e.g. ["baa"]: what the deployment is certified for. */
  @Field(() => [String], { nullable: true }) flags?: string[] | null;
  /** The deployment's own vendor timeouts: a field left out keeps its value, a null one (or timeouts: null, all) goes back to the proxy's default. */
  @Field(() => DeploymentTimeoutsInput, { nullable: true }) timeouts?: DeploymentTimeoutsInput | null;
}

/**
 * One operation of a change request. `op` picks the operation and which other fields it reads:
 * alias.create / alias.update (alias), alias.delete (id = name), deployment.create (deployment),
 * deployment.update (id, deployment), deployment.disable / deployment.enable (id), price.set (price),
 * price.delete (id = "provider:model"), tenant.policy (id = tenant id, tenantPolicy),
 * tenant.enable (id = tenant id; undoes a kill switch).
 */
@InputType()
export class ChangeOperationInput {
  @Field(() => String) op: string;
  @Field(() => String, { nullable: true }) id?: string | null;
  @Field(() => AliasInput, { nullable: true }) alias?: AliasInput | null;
  @Field(() => DeploymentFieldsInput, { nullable: true }) deployment?: DeploymentFieldsInput | null;
  @Field(() => SetPriceInput, { nullable: true }) price?: SetPriceInput | null;
  @Field(() => TenantPolicyInput, { nullable: true }) tenantPolicy?: TenantPolicyInput | null;
}

@InputType()
export class ProposeChangeInput {
  @Field(() => String) description: string;
  @Field(() => [ChangeOperationInput]) operations: ChangeOperationInput[];
  /** Apply no earlier than this, once approved. */
  @Field(() => DateTimeResolver, { nullable: true }) applyAt?: Date | null;
}

@InputType()
export class KillSwitchTarget {
  /** provider | deployment | key | tenant */
  @Field(() => String) kind: string;
  /** The provider kind (e.g. "openai") or the deployment, key or tenant id. */
  @Field(() => ID) id: string;
}

@ObjectType()
export class KillSwitchResult {
  @Field(() => String) kind: string;
  @Field(() => ID) id: string;
  /** How many deployments, key secrets (every live one of the key's lineage) or tenants were disabled. */
  @Field(() => Int) affected: number;
}
