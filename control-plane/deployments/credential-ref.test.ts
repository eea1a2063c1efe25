import { expect, test } from "bun:test";
import { requireCredentialRef } from "./credential-ref.ts";

const code = (fn: () => unknown) => {
  try {
    fn();
    return "OK";
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code ?? String(error);
  }
};

test("vendor refs pass: env:GW_CRED_*, other vendor variables, file paths", () => {
  for (const ref of ["env:GW_CRED_OPENAI_EU", "env:ECHO_VENDOR_API_KEY", "file:/run/secrets/openai", "file:openai"]) {
    expect(requireCredentialRef("credentialRef", ref)).toBe(ref);
  }
});

test("refs naming the gateway's own configuration, pasted keys and .. paths are BAD_USER_INPUT", () => {
  const refused = [
    "env:REGION_TOKEN", "env:TRUSTED_JWKS", "env:TRUSTED_JWKS_FILE", "env:CONTROL_PLANE_URL", "env:REDIS_URL",
    "env:DATABASE_URL", "env:ADMIN_TOKEN", "env:ADMIN_JWT_SECRET", "env:AUDIT_HMAC_KEY", "env:SIGNING_KEY_JWK", "env:PGPASSWORD",
    "env:CREDENTIALS_DIR", "sk-live-123", "env:lower", "file:", "file:/run/secrets/../../etc/passwd",
  ];
  for (const ref of refused) expect([ref, code(() => requireCredentialRef("credentialRef", ref))]).toEqual([ref, "BAD_USER_INPUT"]);
});
