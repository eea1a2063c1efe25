/**
 * A change put in force the way production does it: ann proposes it and ben approves it (twoApprovers),
 * which applies it at once under the default of one approval. Answers the status the approval left
 * the request in ("applied" unless it no longer fits the configuration).
 *
 * @example await applyApprovedChange(stack.admin, stack.controlPlane.url, "daily budget", [{ op: "tenant.policy", id, tenantPolicy: { dailyBudgetUsd: 1 } }]);
 */
import type { AdminClient } from "../../infra/local/admin-client.ts";
import { approveChangeAs, proposeChangeAs } from "./change-requests.ts";
import { twoApprovers } from "./principals.ts";

export async function applyApprovedChange(admin: AdminClient, url: string, description: string, operations: unknown[]): Promise<string> {
  const { ann, ben } = await twoApprovers(admin, url);
  return approveChangeAs(ben.client, await proposeChangeAs(ann.client, operations, undefined, description));
}
