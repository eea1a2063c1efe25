/**
 * OpenAI's `service_tier` (https://platform.openai.com/docs/api-reference/chat/create#chat-create-service_tier)
 * for OpenAI-format vendors: `auto` and `default` (standard processing) pass as sent; `flex`,
 * `scale` and `priority` are billed at other rates than the deployment's one price, so the spend the
 * gateway records, and the budgets it enforces, would be wrong: refused, as the other adapters refuse
 * every tier they cannot price.
 *
 * @example refuseUnpricedServiceTier({ service_tier: "priority" }) // throws UnsupportedParameterError("service_tier", ...)
 */
import { isSet } from "../refuse-without-equivalent.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";

export function refuseUnpricedServiceTier(raw: Record<string, unknown>): void {
  if (isSet(raw, "service_tier") && raw.service_tier !== "auto" && raw.service_tier !== "default") {
    throw new UnsupportedParameterError("service_tier", "The gateway prices standard processing only: service_tier 'auto' or 'default'.");
  }
}
