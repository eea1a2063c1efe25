/**
 * Creates a tenant through the admin API and answers its id: under `parentId`, or at the top level
 * when that is null or left out.
 *
 * @example const team = await addTenant(t.admin, "team", orgId);
 */
import type { AdminClient } from "../../infra/local/admin-client.ts";

export async function addTenant(admin: AdminClient, name: string, parentId?: string | null): Promise<string> {
  const { createTenant } = await admin.request<{ createTenant: { id: string } }>(`mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }`, {
    i: { name, parentId },
  });
  return createTenant.id;
}
