/**
 * Builds the executable schema from the resolver classes. `schema.graphql` beside this folder is the
 * committed print of it; a test fails when the two differ.
 */
import "reflect-metadata";
import { printSchema, type GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { AuditResolver } from "../audit/audit.resolver.ts";
import { authorize } from "../auth/authorize.middleware.ts";
import { PrincipalResolver } from "../auth/principal.resolver.ts";
import { ChangeRequestResolver } from "../changes/change-request.resolver.ts";
import { AliasResolver } from "../aliases/alias.resolver.ts";
import { BudgetResolver } from "../budgets/budget.resolver.ts";
import { DeploymentResolver } from "../deployments/deployment.resolver.ts";
import { KeyResolver } from "../keys/key.resolver.ts";
import { PriceResolver } from "../pricing/price.resolver.ts";
import { RegionResolver } from "../regions/region.resolver.ts";
import { ConfigVersionResolver } from "../snapshots/config-version.resolver.ts";
import { SpendResolver } from "../spend/spend.resolver.ts";
import { TenantResolver } from "../tenants/tenant.resolver.ts";
import { rejectNul } from "./reject-nul.middleware.ts";

export const RESOLVERS = [
  TenantResolver,
  KeyResolver,
  DeploymentResolver,
  AliasResolver,
  PriceResolver,
  RegionResolver,
  ConfigVersionResolver,
  SpendResolver,
  AuditResolver,
  PrincipalResolver,
  ChangeRequestResolver,
  BudgetResolver,
] as const;

export async function buildControlPlaneSchema(): Promise<GraphQLSchema> {
  // validate: false — services validate arguments themselves so every message names its field.
  // authorize runs before every root field: it refuses unstorable arguments (NUL, lone surrogates,
  // years outside 0100..9999, 0001..9999 for filters) first, then default deny; refused mutations
  // audited. rejectNul makes the same argument check on nested fields.
  return buildSchema({ resolvers: RESOLVERS, validate: false, globalMiddlewares: [authorize, rejectNul] });
}

/** The schema as SDL, as committed in control-plane/schema.graphql. */
export async function printControlPlaneSchema(): Promise<string> {
  return printSchema(await buildControlPlaneSchema()) + "\n";
}
