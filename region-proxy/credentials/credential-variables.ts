/**
 * The environment variables a proxy lets `env:` credential refs read: only those whose name starts
 * with the prefix (default `GW_CRED_`, `CREDENTIAL_ENV_PREFIX` to change it). Everything else in the
 * environment (REGION_TOKEN, REDIS_URL, cloud credentials…) stays out of reach of a credentialRef.
 *
 * @example credentialVariables({ GW_CRED_OPENAI: "sk", REGION_TOKEN: "t" }, "GW_CRED_") // { GW_CRED_OPENAI: "sk" }
 */
export const DEFAULT_CREDENTIAL_ENV_PREFIX = "GW_CRED_";

/** A prefix must be a non-empty upper-case variable-name start, so it can never match everything. */
export const CREDENTIAL_PREFIX_PATTERN = /^[A-Z][A-Z0-9_]*_$/;

export function credentialVariables(env: Record<string, string | undefined>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(prefix) && name.length > prefix.length && value) out[name] = value;
  }
  return out;
}
