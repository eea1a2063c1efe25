/**
 * OpenAI `service_tier` → Anthropic `service_tier` (https://docs.anthropic.com/en/api/service-tiers).
 * OpenAI's `auto` (the account's premium capacity when it has some, else standard) is Anthropic's
 * `auto` (Priority Tier when the organisation has capacity, else standard); OpenAI's `default`
 * (standard processing only) is `standard_only`. `flex`, `scale` and `priority` have no Anthropic
 * counterpart a request can ask for: refused.
 *
 * @example anthropicServiceTier("default") // "standard_only"
 */
import { UNPRICED_SERVICE_TIER } from "../service-tier.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";

// A Map, not an object: "constructor" or "__proto__" must not find Object.prototype's members.
const TIERS = new Map([
  ["auto", "auto"],
  ["default", "standard_only"],
]);

/** The Anthropic tier for a client's service_tier; undefined when the client gave none. */
export function anthropicServiceTier(tier: unknown): string | undefined {
  if (tier === undefined || tier === null) return undefined;
  const mapped = typeof tier === "string" ? TIERS.get(tier) : undefined;
  if (!mapped) throw new UnsupportedParameterError("service_tier", UNPRICED_SERVICE_TIER);
  return mapped;
}
