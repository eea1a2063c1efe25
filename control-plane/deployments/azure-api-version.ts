/**
 * The oldest Azure OpenAI api-version a deployment may pin in its baseUrl
 * (`https://res.openai.azure.com/openai?api-version=...`). The proxy sends
 * `stream_options.include_usage` on every stream (a streamed request must cost exactly what the
 * unstreamed one costs) and `max_completion_tokens` when the limits step reserves an output cap; Azure
 * added both in 2024-09-01-preview (GA 2024-10-21 has them) and answers older versions with 400
 * "Unrecognized request argument supplied", which the client would see as its own fault
 * (https://learn.microsoft.com/en-us/azure/ai-services/openai/api-version-deprecation).
 *
 * @example requireAzureApiVersion("baseUrl", "azure", "https://r.openai.azure.com?api-version=2024-06-01") // throws BAD_USER_INPUT
 */
import { badInput } from "../graphql/errors.ts";

export const AZURE_MIN_API_VERSION = "2024-09-01-preview";

/** The date of a dated api-version (`2024-10-21`, `2025-04-01-preview`); null for another form. */
const versionDate = (version: string): string | null => /^(\d{4}-\d{2}-\d{2})(-preview)?$/.exec(version)?.[1] ?? null;

/** The baseUrl unchanged, unless it is Azure's and pins a dated api-version older than the minimum. */
export function requireAzureApiVersion(field: string, provider: string, baseUrl: string): string {
  if (provider !== "azure") return baseUrl;
  const version = new URL(baseUrl).searchParams.get("api-version");
  const date = version === null ? null : versionDate(version);
  if (date !== null && date < versionDate(AZURE_MIN_API_VERSION)!) {
    throw badInput(
      field,
      `api-version ${version} is older than ${AZURE_MIN_API_VERSION}, the first Azure OpenAI version that accepts stream_options (so a stream costs exactly what the unstreamed request costs) and max_completion_tokens (output caps); pin ${AZURE_MIN_API_VERSION} or later, or none (the proxy's default is current)`,
    );
  }
  return baseUrl;
}
