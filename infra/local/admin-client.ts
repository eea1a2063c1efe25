/**
 * A minimal GraphQL client for the control plane's admin API, used by the local launcher and the
 * cross-process tests. Throws `AdminApiError` carrying the first error's `extensions.code`.
 *
 * @example const { tenants } = await admin.request<{ tenants: { id: string }[] }>("{ tenants { id } }")
 */
export class AdminApiError extends Error {
  override readonly name = "AdminApiError";
  constructor(
    message: string,
    readonly code: string | null,
    readonly errors: unknown[],
  ) {
    super(message);
  }
}

export interface AdminClient {
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export function adminClient(controlPlaneUrl: string, token: string): AdminClient {
  const endpoint = new URL("/graphql", controlPlaneUrl).toString();
  return {
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      let payload: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
      try {
        payload = JSON.parse(text);
      } catch {
        throw new AdminApiError(`control plane answered ${response.status} with non-JSON: ${text.slice(0, 200)}`, null, []);
      }
      if (payload.errors?.length) {
        const first = payload.errors[0]!;
        throw new AdminApiError(first.message, first.extensions?.code ?? null, payload.errors);
      }
      if (!payload.data) throw new AdminApiError(`control plane answered ${response.status} without data`, null, []);
      return payload.data;
    },
  };
}
