/**
 * OpenAI's `service_tier` (https://platform.openai.com/docs/api-reference/chat/create#chat-create-service_tier)
 * for vendors that take it as sent (OpenAI, Azure) or have standard processing only (Gemini): `auto`
 * and `default` pass; `flex`, `scale` and `priority` are billed at other rates than the model's one
 * price in the pricing table, so the spend the gateway records, and the budgets it enforces, would be
 * wrong: refused. `auto` follows the tier the vendor account or project is set to, which the operator
 * prices. Anthropic maps the two it can honour (anthropic/service-tier.ts).
 *
 * @example refuseUnpricedServiceTier({ service_tier: "priority" }) // throws UnsupportedParameterError("service_tier", ...)
 */
import { isSet } from "./refuse-without-equivalent.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

export const UNPRICED_SERVICE_TIER = "This provider accepts service_tier 'auto' or 'default' only: other tiers are billed at prices the gateway does not record.";

export function refuseUnpricedServiceTier(raw: Record<string, unknown>): void {
  if (isSet(raw, "service_tier") && raw.service_tier !== "auto" && raw.service_tier !== "default") {
    throw new UnsupportedParameterError("service_tier", UNPRICED_SERVICE_TIER);
  }
}
