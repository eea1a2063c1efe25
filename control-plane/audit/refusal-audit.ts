/**
 * The audit row of a refused request (`refused.<field>`), as both refusal paths write it: the resolver's
 * refusals (auth/authorize.middleware.ts) and those raised before execution
 * (graphql/audit-early-refusals.ts). Its target is the id the request aimed at (refusal-target.ts), its
 * message masked and cut to MAX_AUDITED_MESSAGE, and of its arguments only the closed-set ones
 * (refusal-arguments.ts): the log is append-only, so no free text the caller sent may stay in it.
 *
 * @example refusalAudit("revokeKey", { id: "key_1" }, "FORBIDDEN", "requires one of: admin")
 */
import { maskedText } from "../graphql/quoted-value.ts";
import type { AuditedOutcome } from "./run-audited.ts";
import { refusalArguments } from "./refusal-arguments.ts";
import { refusalTarget } from "./refusal-target.ts";

/** How much of a refusal's message its audit row keeps. */
export const MAX_AUDITED_MESSAGE = 1000;

/** A refusal's audit row; a refused read's entry takes its target and code from it (refused-read-throttle.ts). */
export type RefusalAudit = AuditedOutcome<null>["audit"] & { after: { code: string; message: string; arguments: Record<string, string> | undefined } };

export function refusalAudit(field: string, args: Record<string, unknown>, code: string, message: string): RefusalAudit {
  return { action: `refused.${field}`, target: refusalTarget(args), after: { code, message: maskedText(message, MAX_AUDITED_MESSAGE), arguments: refusalArguments(args) } };
}
