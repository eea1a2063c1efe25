/** Creates principals with roles through the admin API and hands back a client acting as each. */
import { adminClient, AdminApiError, type AdminClient } from "../../infra/local/admin-client.ts";

export interface ActingPrincipal {
  id: string;
  token: string;
  jti: string;
  client: AdminClient;
}

/** A person with the given role bindings and a fresh token (ttl seconds, default 600). */
export async function principalWith(
  admin: AdminClient,
  url: string,
  name: string,
  roles: { role: string; tenantId?: string }[],
  ttlSeconds = 600,
): Promise<ActingPrincipal> {
  const { createPrincipal } = await admin.request<{ createPrincipal: { id: string } }>(
    `mutation($i: CreatePrincipalInput!) { createPrincipal(input: $i) { id } }`,
    { i: { name, kind: "person" } },
  );
  for (const binding of roles) {
    await admin.request(`mutation($i: RoleBindingInput!) { grantRole(input: $i) { id } }`, { i: { principalId: createPrincipal.id, ...binding } });
  }
  const { issueToken } = await admin.request<{ issueToken: { token: string; jti: string } }>(
    `mutation($i: IssueTokenInput!) { issueToken(input: $i) { token jti expiresAt } }`,
    { i: { principalId: createPrincipal.id, ttlSeconds } },
  );
  return { id: createPrincipal.id, token: issueToken.token, jti: issueToken.jti, client: adminClient(url, issueToken.token) };
}

/**
 * Two approvers, "ann" and "ben", created in that order: one proposes a change and the other
 * approves it, since no one may approve their own.
 */
export async function twoApprovers(admin: AdminClient, url: string): Promise<{ ann: ActingPrincipal; ben: ActingPrincipal }> {
  const ann = await principalWith(admin, url, "ann", [{ role: "approver" }]);
  const ben = await principalWith(admin, url, "ben", [{ role: "approver" }]);
  return { ann, ben };
}

/** The `extensions.code` a request fails with; throws if it succeeds. */
export async function errorCode(request: Promise<unknown>): Promise<string | null> {
  try {
    await request;
  } catch (error) {
    if (error instanceof AdminApiError) return error.code;
    throw error;
  }
  throw new Error("expected the request to fail");
}
