/**
 * What the route sends once the limits step admitted a chat request: the request itself, with the
 * per-answer output cap its reservation counted when the client named none and a budget or TPM level
 * applies (LimitTicket's outputCap). A vendor asked for no cap writes up to its model's own limit,
 * 32k tokens and more, far past a worst case of 4096: the cap is what makes the reservation a bound.
 */
import type { LimitsTicket } from "../pipeline/limits.ts";
import type { ChatRequest } from "../providers/types.ts";
import type { LimitTicket } from "./enforce-limits.ts";

/** The request to execute: `chat` with `outputCap` set from the ticket, or `chat` as it is. */
export function withReservedOutputCap(chat: ChatRequest, ticket: LimitsTicket | LimitTicket): ChatRequest {
  // The enforcer's tickets carry the cap; a Limits without one (allowAllLimits) admits with no cap.
  const cap = (ticket as Partial<Pick<LimitTicket, "outputCap">>).outputCap;
  return typeof cap === "number" ? { ...chat, outputCap: cap } : chat;
}
