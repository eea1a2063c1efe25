/**
 * Creates a gateway key for a tenant through the admin API and answers its id (the secret is not
 * needed by tests that only book usage on it).
 *
 * @example const keyId = await addKey(t.admin, teamId);
 */
import type { AdminClient } from "../../infra/local/admin-client.ts";

export async function addKey(admin: AdminClient, tenantId: string, options: { name?: string; allowedRegions?: string[] } = {}): Promise<string> {
  const { createKey } = await admin.request<{ createKey: { key: { id: string } } }>(`mutation($i: CreateKeyInput!) { createKey(input: $i) { key { id } } }`, {
    i: { tenantId, name: options.name ?? "test-key", ...(options.allowedRegions ? { allowedRegions: options.allowedRegions } : {}) },
  });
  return createKey.key.id;
}
