import { expect, test } from "bun:test";
import { generateSigningKey } from "../shared/snapshot/sign.ts";
import { configFromEnv } from "./config.ts";

test("defaults, and LOG_FORMAT: text unless json is asked for; anything else fails the start", () => {
  expect(configFromEnv({})).toMatchObject({ port: 4000, host: "127.0.0.1", dataDir: ".data/control-plane", logFormat: "text" });
  expect(configFromEnv({ LOG_FORMAT: "json" }).logFormat).toBe("json");
  expect(() => configFromEnv({ LOG_FORMAT: "xml" })).toThrow('LOG_FORMAT: must be text or json (got "xml")');
  expect(() => configFromEnv({ PORT: "70000" })).toThrow("PORT: must be an integer 0-65535");
});

test("PORT: empty means unset, like every other variable but HOST; anything but a plain integer 0-65535 fails the start", () => {
  expect(configFromEnv({ PORT: "" }).port).toBe(4000);
  expect(configFromEnv({ PORT: "0" }).port).toBe(0);
  for (const bad of ["4000x", "1e3", "0x10", " 4000", "-1", "4.5", "08", "+80"]) expect(() => configFromEnv({ PORT: bad })).toThrow(`PORT: must be an integer 0-65535, got "${bad}"`);
});

test("HOST set but empty fails the start naming HOST (it bound loopback only, which no balancer or probe reaches); unset keeps 127.0.0.1", () => {
  expect(() => configFromEnv({ HOST: "" })).toThrow("HOST: is set but empty: give the address to listen on (0.0.0.0 for every one), or leave HOST unset");
  expect(configFromEnv({}).host).toBe("127.0.0.1");
  expect(configFromEnv({ HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
});

test("the shared secrets are read from the environment, unset meaning 'use or create the file in DATA_DIR'", async () => {
  const secrets = { ADMIN_JWT_SECRET: "j".repeat(40), AUDIT_HMAC_KEY: "a".repeat(40), SIGNING_KEY_JWK: JSON.stringify((await generateSigningKey("cp-env")).privateJwk) };
  expect(configFromEnv(secrets)).toMatchObject({ tokenSecret: secrets.ADMIN_JWT_SECRET, auditHmacKey: secrets.AUDIT_HMAC_KEY, signingKeyJwk: secrets.SIGNING_KEY_JWK });
  expect(configFromEnv({})).toMatchObject({ tokenSecret: null, auditHmacKey: null, signingKeyJwk: null });
});

test("SIGNING_KEY_PREVIOUS_JWKS: retired public keys to serve beside the current one; a private member or a bad JWKS fails the start", async () => {
  const retired = await generateSigningKey("cp-retired");
  expect(configFromEnv({}).previousSigningKeys).toEqual([]);
  expect(configFromEnv({ SIGNING_KEY_PREVIOUS_JWKS: JSON.stringify({ keys: [retired.key.publicJwk] }) }).previousSigningKeys).toEqual([retired.key.publicJwk]);
  expect(() => configFromEnv({ SIGNING_KEY_PREVIOUS_JWKS: JSON.stringify({ keys: [retired.privateJwk] }) })).toThrow(
    "SIGNING_KEY_PREVIOUS_JWKS: key cp-retired holds a private member (d); list public keys only",
  );
  expect(() => configFromEnv({ SIGNING_KEY_PREVIOUS_JWKS: "{not json" })).toThrow("SIGNING_KEY_PREVIOUS_JWKS: must be a JSON JWKS");
  expect(() => configFromEnv({ SIGNING_KEY_PREVIOUS_JWKS: JSON.stringify([retired.key.publicJwk]) })).toThrow('SIGNING_KEY_PREVIOUS_JWKS: must be a JSON JWKS ({ "keys": [...] })');
  const { kid: _kid, ...noKid } = retired.key.publicJwk;
  expect(() => configFromEnv({ SIGNING_KEY_PREVIOUS_JWKS: JSON.stringify({ keys: [noKid] }) })).toThrow("SIGNING_KEY_PREVIOUS_JWKS: key 1 has no kid");
  expect(() => configFromEnv({ SIGNING_KEY_PREVIOUS_JWKS: JSON.stringify({ keys: [{ kty: "RSA", kid: "rsa-1", n: "x", e: "AQAB" }] }) })).toThrow(
    "SIGNING_KEY_PREVIOUS_JWKS: key rsa-1 is not an Ed25519 public key (kty OKP, crv Ed25519, x)",
  );
  expect(() => configFromEnv({ SIGNING_KEY_PREVIOUS_JWKS: JSON.stringify({ keys: [retired.key.publicJwk, retired.key.publicJwk] }) })).toThrow(
    "SIGNING_KEY_PREVIOUS_JWKS: kid cp-retired is listed twice",
  );
});

test("every refusal names its variable first (main.ts prints it as `control plane: <VARIABLE>: <why>`)", () => {
  expect(() => configFromEnv({ SIGNING_KEY_JWK: "not-json" })).toThrow("SIGNING_KEY_JWK: must be an Ed25519 private JWK as JSON");
  expect(() => configFromEnv({ SIGNING_KEY_JWK: JSON.stringify({ kty: "OKP", crv: "Ed25519", x: "x", d: "d" }) })).toThrow("SIGNING_KEY_JWK: must have a kid");
  expect(() => configFromEnv({ REQUIRED_APPROVALS: "abc" })).toThrow('REQUIRED_APPROVALS: must be an integer from 1 to 10, got "abc"');
  expect(() => configFromEnv({ REQUIRED_APPROVALS: "11" })).toThrow("REQUIRED_APPROVALS: ");
  expect(() => configFromEnv({ TRUST_FORWARDED_FOR: "TRUE" })).toThrow('TRUST_FORWARDED_FOR: must be true or false, got "TRUE"');
  expect(configFromEnv({ TRUST_FORWARDED_FOR: "true" }).trustForwardedFor).toBe(true);
  expect(() => configFromEnv({ ALLOW_PLAINTEXT_VENDOR_URLS: "yes" })).toThrow('ALLOW_PLAINTEXT_VENDOR_URLS: must be true or false, got "yes"');
  expect(configFromEnv({ ALLOW_PLAINTEXT_VENDOR_URLS: "true" }).allowPlaintextVendorUrls).toBe(true);
  expect([configFromEnv({}), configFromEnv({ ALLOW_PLAINTEXT_VENDOR_URLS: "" }), configFromEnv({ ALLOW_PLAINTEXT_VENDOR_URLS: "false" })].map((c) => c.allowPlaintextVendorUrls)).toEqual([false, false, false]);
  expect(() => configFromEnv({ DATABASE_URL: "db.example.com:5432/gw" })).toThrow("DATABASE_URL: must be a postgres:// or postgresql:// URL");
  expect(configFromEnv({ DATABASE_URL: "postgresql://u@db/gw" }).databaseUrl).toBe("postgresql://u@db/gw");
});

test("BUDGET_WEBHOOK_URL: an absolute http(s) URL; one without a scheme (every delivery would fail later) fails the start", () => {
  expect(configFromEnv({}).budgetWebhookUrl).toBeNull();
  expect(configFromEnv({ BUDGET_WEBHOOK_URL: "https://hooks.example.com/budget" }).budgetWebhookUrl).toBe("https://hooks.example.com/budget");
  expect(configFromEnv({ BUDGET_WEBHOOK_URL: "http://10.0.0.5:8080/alerts" }).budgetWebhookUrl).toBe("http://10.0.0.5:8080/alerts");
  for (const bad of ["hooks.example.com/budget-alerts", "ftp://hooks.example.com/x", "/budget", "https://", "mailto:ops@example.com"]) {
    expect(() => configFromEnv({ BUDGET_WEBHOOK_URL: bad })).toThrow("BUDGET_WEBHOOK_URL: must be an absolute http:// or https:// URL");
  }
});

test("REQUIRED_APPROVALS is a plain decimal integer 1-10, as every integer variable: hex, fractions, blanks and exponents fail the start", () => {
  expect(configFromEnv({}).requiredApprovals).toBeUndefined();
  expect(configFromEnv({ REQUIRED_APPROVALS: "2" }).requiredApprovals).toBe(2);
  expect(configFromEnv({ REQUIRED_APPROVALS: "10" }).requiredApprovals).toBe(10);
  for (const bad of ["0x2", "2.0", " 2", "2 ", "1e0", "+2", "02", "0", "11", "-1"]) {
    expect(() => configFromEnv({ REQUIRED_APPROVALS: bad })).toThrow(`REQUIRED_APPROVALS: must be an integer from 1 to 10, got ${JSON.stringify(bad)}`);
  }
});

test("REPORT_POOL_MAX (1-50) and REPORT_STATEMENT_TIMEOUT_MS (1 to 3,600,000; 0, no timeout, refused): unset means the defaults", () => {
  expect(configFromEnv({})).toMatchObject({ reportPoolMax: undefined, reportStatementTimeoutMs: undefined });
  expect(configFromEnv({ REPORT_POOL_MAX: "4", REPORT_STATEMENT_TIMEOUT_MS: "5000" })).toMatchObject({ reportPoolMax: 4, reportStatementTimeoutMs: 5000 });
  for (const bad of ["0", "51", "2.5", "x"]) expect(() => configFromEnv({ REPORT_POOL_MAX: bad })).toThrow(`REPORT_POOL_MAX: must be an integer from 1 to 50, got ${JSON.stringify(bad)}`);
  for (const bad of ["0", "3600001", "30s"]) {
    expect(() => configFromEnv({ REPORT_STATEMENT_TIMEOUT_MS: bad })).toThrow(`REPORT_STATEMENT_TIMEOUT_MS: must be an integer from 1 to 3600000, got ${JSON.stringify(bad)}`);
  }
});

test("CONFIG_LOCK_TIMEOUT_MS and CONFIG_STATEMENT_TIMEOUT_MS (1 to 3,600,000; 0, no timeout, refused): unset means the defaults", () => {
  expect(configFromEnv({})).toMatchObject({ configLockTimeoutMs: undefined, configStatementTimeoutMs: undefined });
  expect(configFromEnv({ CONFIG_LOCK_TIMEOUT_MS: "2000", CONFIG_STATEMENT_TIMEOUT_MS: "60000" })).toMatchObject({ configLockTimeoutMs: 2000, configStatementTimeoutMs: 60000 });
  for (const variable of ["CONFIG_LOCK_TIMEOUT_MS", "CONFIG_STATEMENT_TIMEOUT_MS"]) {
    for (const bad of ["0", "3600001", "10s", "-1"]) {
      expect(() => configFromEnv({ [variable]: bad })).toThrow(`${variable}: must be an integer from 1 to 3600000, got ${JSON.stringify(bad)}`);
    }
  }
});

test("BODY_READ_TIMEOUT_MS (1 to 3,600,000): how long a POST body may take to arrive, whole; unset means the default", () => {
  expect(configFromEnv({}).bodyReadTimeoutMs).toBeUndefined();
  expect(configFromEnv({ BODY_READ_TIMEOUT_MS: "" }).bodyReadTimeoutMs).toBeUndefined();
  expect(configFromEnv({ BODY_READ_TIMEOUT_MS: "30000" }).bodyReadTimeoutMs).toBe(30_000);
  for (const bad of ["0", "3600001", "60s", "-1", "1.5"]) {
    expect(() => configFromEnv({ BODY_READ_TIMEOUT_MS: bad })).toThrow(`BODY_READ_TIMEOUT_MS: must be an integer from 1 to 3600000, got ${JSON.stringify(bad)}`);
  }
});

test("ADMIN_JWT_MAX_LINEAGE_HOURS (1 to 8760): how long a person's renewals of its own token may run; unset means the default", () => {
  expect(configFromEnv({}).adminJwtMaxLineageHours).toBeUndefined();
  expect(configFromEnv({ ADMIN_JWT_MAX_LINEAGE_HOURS: "" }).adminJwtMaxLineageHours).toBeUndefined();
  expect(configFromEnv({ ADMIN_JWT_MAX_LINEAGE_HOURS: "1" }).adminJwtMaxLineageHours).toBe(1);
  expect(configFromEnv({ ADMIN_JWT_MAX_LINEAGE_HOURS: "8760" }).adminJwtMaxLineageHours).toBe(8760);
  for (const bad of ["0", "8761", "-1", "1.5", "24h", "0x10", " 24"]) {
    expect(() => configFromEnv({ ADMIN_JWT_MAX_LINEAGE_HOURS: bad })).toThrow(`ADMIN_JWT_MAX_LINEAGE_HOURS: must be an integer from 1 to 8760, got ${JSON.stringify(bad)}`);
  }
});
