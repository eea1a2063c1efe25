/**
 * A deployment's credentialRef: `env:NAME` or `file:path`, resolved by the proxy, never a secret.
 * The proxy sends the resolved credential to the deployment's baseUrl, so a ref naming one of the
 * proxy's own settings (its region token, Redis or database URL, admin secrets…) would hand that secret
 * to whoever controls the baseUrl. Proxies only expose `GW_CRED_*` variables and files inside
 * CREDENTIALS_DIR anyway; refusing these names here as well fails the mistake at review time.
 *
 * @example requireCredentialRef("credentialRef", "env:GW_CRED_OPENAI_EU")
 */
import { badInput } from "../graphql/errors.ts";

/** A reference the proxy resolves locally; a pasted API key does not match it. */
export const CREDENTIAL_REF_PATTERN = /^(env:[A-Z_][A-Z0-9_]*|file:[^\0]+)$/;

/** The proxy's and control plane's own configuration variables, by exact name… */
const RESERVED_NAMES = new Set([
  "REGION", "REGION_TOKEN", "CONTROL_PLANE_URL", "DATA_DIR", "HOST", "PORT", "PROXY_ID",
  "CREDENTIAL_ENV_PREFIX", "CREDENTIALS_DIR", "ALLOW_INSECURE_CONTROL_PLANE", "SIGNING_KEY_JWK",
]);
/** …and by prefix (TRUSTED_JWKS_FILE, REDIS_URL, DATABASE_URL, ADMIN_TOKEN, ADMIN_JWT_SECRET, AUDIT_HMAC_KEY, PGPASSWORD…). */
const RESERVED_PREFIXES = ["TRUSTED_JWKS", "REGION_TOKEN", "REDIS_", "DATABASE_", "ADMIN_", "AUDIT_", "SIGNING_KEY", "PG"];

export function requireCredentialRef(field: string, value: string): string {
  if (!CREDENTIAL_REF_PATTERN.test(value)) throw badInput(field, `must match ${CREDENTIAL_REF_PATTERN.source}`);
  if (value.startsWith("env:")) {
    const name = value.slice(4);
    if (RESERVED_NAMES.has(name) || RESERVED_PREFIXES.some((p) => name.startsWith(p))) {
      throw badInput(field, `${name} is a gateway configuration variable, not a vendor credential (use GW_CRED_*)`);
    }
  }
  if (value.startsWith("file:") && value.slice(5).split("/").includes("..")) throw badInput(field, "must not contain .. segments");
  return value;
}
