/**
 * Change requests driven through the admin API as a given principal: propose, approve, read back.
 * Errors are thrown as AdminApiError; wrap a call in errorCode (principals.ts) to read its code.
 *
 * @example const id = await proposeChangeAs(ann.client, [aliasRoute("chat", [usId])]);
 *          expect(await approveChangeAs(ben.client, id)).toBe("applied");
 */
import type { AdminClient } from "../../infra/local/admin-client.ts";

/** The operation that points an alias at these deployments, in this order. */
export const aliasRoute = (name: string, deploymentIds: string[]) => ({ op: "alias.update", alias: { name, deploymentIds } });

/** Proposes the operations (at applyAt when given) and answers the request's id. */
export async function proposeChangeAs(client: AdminClient, operations: unknown[], applyAt?: string, description = "reroute"): Promise<string> {
  const { proposeChange } = await client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
    i: { description, applyAt, operations },
  });
  return proposeChange.id;
}

/** Approves the request and answers the status the approval left it in. */
export async function approveChangeAs(client: AdminClient, id: string): Promise<string> {
  const { approveChange } = await client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id });
  return approveChange.status;
}

/** The request's status and the reason it was refused or went stale (null otherwise). */
export async function changeRequestState(admin: AdminClient, id: string): Promise<{ status: string; reason: string | null }> {
  const { changeRequest } = await admin.request<{ changeRequest: { status: string; reason: string | null } }>(`query($id: ID!) { changeRequest(id: $id) { status reason } }`, {
    id,
  });
  return changeRequest;
}

/** The statuses of a request still waiting for approvals or for its time. */
const OPEN = ["pending", "approved", "scheduled"];

/** Polls the request until it is no longer open (applied, stale, refused...) or the deadline passes; answers its state then. */
export async function changeRequestSettled(admin: AdminClient, id: string, timeoutMs = 10_000): Promise<{ status: string; reason: string | null }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await changeRequestState(admin, id);
    if (!OPEN.includes(state.status)) return state;
    if (Date.now() > deadline) throw new Error(`change request ${id} still ${state.status} after ${timeoutMs} ms`);
    await Bun.sleep(50);
  }
}
