/**
 * A change put in force the way production does it: ann proposes it and ben approves it (twoApprovers),
 * which applies it at once under the default of one approval. Answers the status the approval left
 * the request in ("applied" unless it no longer fits the configuration).
 *
 * @example await applyApprovedChange(stack.admin, stack.controlPlane.url, "daily budget", [{ op: "tenant.policy", id, tenantPolicy: { dailyBudgetUsd: 1 } }]);
 */
import type { AdminClient } from "../../infra/local/admin-client.ts";
import { twoApprovers } from "./principals.ts";

export async function applyApprovedChange(admin: AdminClient, url: string, description: string, operations: unknown[]): Promise<string> {
  const { ann, ben } = await twoApprovers(admin, url);
  const { proposeChange } = await ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
    i: { description, operations },
  });
  const { approveChange } = await ben.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: proposeChange.id });
  return approveChange.status;
}
