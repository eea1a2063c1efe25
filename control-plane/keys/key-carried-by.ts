/**
 * Which keys a region's snapshot carries, as SQL on a `gateway_keys` row: those whose allowedRegions is
 * null or names the region, the keys compileSnapshot publishes to it while they live (it leaves a key
 * out once revoked or expired, whatever its status here: usage spent before may still arrive). A key's
 * allowedRegions never changes after it is made (a rotation copies them), so these are the keys that
 * region's proxies can have spent on: what a region may book usage for and be leased budget for.
 *
 * @example await q`select 1 from gateway_keys where id = ${id} and ${keyCarriedBy(q, "eu")}`
 */
import type { Queryable } from "../db/client.ts";

export function keyCarriedBy(q: Queryable, region: string) {
  return q`(allowed_regions is null or ${region} = any(allowed_regions))`;
}
