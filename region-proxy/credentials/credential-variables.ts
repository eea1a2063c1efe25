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

/** The proxy's own variables (secrets among them): never a credential, whatever the prefix. */
export const PROXY_OWN_VARIABLES = ["REGION", "REGION_TOKEN", "CONTROL_PLANE_URL", "TRUSTED_JWKS", "TRUSTED_JWKS_FILE", "DATA_DIR", "REDIS_URL", "METRICS_TOKEN", "CREDENTIALS_DIR", "CREDENTIAL_ENV_PREFIX", "PROXY_ID"];

/** The proxy's own variables a prefix would cover (CREDENTIAL_ENV_PREFIX=REGION_ covers REGION_TOKEN). */
export function ownVariablesCovered(prefix: string): string[] {
  return PROXY_OWN_VARIABLES.filter((name) => name.startsWith(prefix) && name.length > prefix.length);
}

export function credentialVariables(env: Record<string, string | undefined>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(prefix) && name.length > prefix.length && value && !PROXY_OWN_VARIABLES.includes(name)) out[name] = value;
  }
  return out;
}
