/** Tenant rules: unique names; every change audited and published. */
import { newId } from "../../shared/ids.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { conflict } from "../graphql/errors.ts";
import { requireText } from "../graphql/validate.ts";
import { runConfigChange } from "../snapshots/config-change.ts";
import type { CreateTenantInput } from "./tenant.input.ts";
import { findTenantByName, insertTenant } from "./tenant.repo.ts";
import type { Tenant } from "./tenant.type.ts";

export async function createTenant(ctx: GraphQLContext, input: CreateTenantInput): Promise<Tenant> {
  const name = requireText("name", input.name, 100);
  return runConfigChange(ctx.deps, ctx.actor, async (tx) => {
    if (await findTenantByName(tx, name)) throw conflict(`a tenant named ${name} already exists`);
    const tenant = await insertTenant(tx, newId("ten"), name);
    return { result: tenant, audit: { action: "tenant.create", target: tenant.id, after: tenant } };
  });
}
