/**
 * The money rule of the routing policy: every enabled deployment an alias routes to has a price for
 * its `provider:model` (the key the snapshot's pricing and the proxy's settle use, spelled exactly).
 * Without one the proxy would reserve and charge 0 for it, so no budget would ever stop it. A change
 * that would route an alias to an unpriced deployment — an alias naming it, a price.delete, a
 * deployment update to another model, an enable — is refused, whichever way it comes (direct mutation,
 * proposal, approval, scheduled apply, rollback). Only routes a change introduces are refused, so a
 * configuration stored before the rule still takes unrelated changes (and the price that fixes it). Pure.
 *
 * @example newUnpricedRoutes(state, withWrites(state, [{ entity: "price", id: "openai:gpt-4o", value: null }]))
 *   // [{ alias: "chat", deploymentId: "dep_1", price: "openai:gpt-4o" }]
 */
import { emptyTable, ownEntry, type EntityWrite, type PolicyState } from "./policy-state.ts";

export interface UnpricedRoute {
  alias: string;
  deploymentId: string;
  /** The `provider:model` that has no price. */
  price: string;
}

/** Every alias → enabled deployment pair whose `provider:model` has no price, by alias then chain order. */
export function unpricedRoutes(state: PolicyState): UnpricedRoute[] {
  const routes: UnpricedRoute[] = [];
  for (const alias of Object.keys(state.alias).sort()) {
    for (const deploymentId of ownEntry(state.alias, alias)?.deploymentIds ?? []) {
      const dep = ownEntry(state.deployment, deploymentId);
      if (!dep || dep.status !== "active") continue;
      const price = `${dep.provider}:${dep.model}`;
      if (!ownEntry(state.price, price)) routes.push({ alias, deploymentId, price });
    }
  }
  return routes;
}

/** The unpriced routes of `after` that `before` did not have: what a change between them would introduce. */
export function newUnpricedRoutes(before: PolicyState, after: PolicyState): UnpricedRoute[] {
  const had = new Set(unpricedRoutes(before).map(routeKey));
  return unpricedRoutes(after).filter((r) => !had.has(routeKey(r)));
}

/** `state` with `writes` applied in memory (null deletes), for checking a change before it is written. */
export function withWrites(state: PolicyState, writes: readonly EntityWrite[]): PolicyState {
  const out = structuredClone(state);
  for (const w of writes) {
    const table: Record<string, unknown> = Object.assign(emptyTable(), out[w.entity]);
    (out as unknown as Record<string, unknown>)[w.entity] = table;
    if (w.value === null) delete table[w.id];
    else table[w.id] = w.value;
  }
  return out;
}

/** Names every route: "alias chat would route to deployment dep_1, whose openai:gpt-4o has no price; ...". */
export function unpricedRoutesMessage(routes: readonly UnpricedRoute[]): string {
  const each = routes.map((r) => `alias ${r.alias} would route to deployment ${r.deploymentId}, whose ${r.price} has no price`);
  return `${each.join("; ")} (an unpriced model is charged nothing and no budget stops it: set its price first)`;
}

const routeKey = (r: UnpricedRoute) => `${r.alias}\u0000${r.deploymentId}\u0000${r.price}`;
