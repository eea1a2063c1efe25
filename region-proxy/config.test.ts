import { expect, test } from "bun:test";
import { tmpdir } from "node:os";
import { ConfigError, loadConfig } from "./config.ts";
import { credentialVariables } from "./credentials/credential-variables.ts";

const jwks = JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", x: "TOhVR9fBlGropP6VRZm1d4Zm_2eZRGmCYrNxc_As5IU", kid: "k1" }] });
const env = { REGION: "eu", CONTROL_PLANE_URL: "http://127.0.0.1:4000", REGION_TOKEN: "regtok_x", TRUSTED_JWKS: jwks, DATA_DIR: "/tmp/p" };

test("a complete environment becomes a config with defaults left to startProxy", () => {
  const config = loadConfig({ ...env, PORT: "8080", SNAPSHOT_POLL_MS: "500", SNAPSHOT_DOWNLOAD_TIMEOUT_MS: "90000", SNAPSHOT_MAX_BYTES: "1048576", REDIS_URL: "redis://127.0.0.1:6379", REPLICA_SHARE: "0.5", COUNTERS_TIMEOUT_MS: "100" });
  expect(config).toMatchObject({ region: "eu", port: 8080, snapshotPollMs: 500, snapshotDownloadTimeoutMs: 90000, snapshotMaxBytes: 1048576, dataDir: "/tmp/p", redisUrl: "redis://127.0.0.1:6379", replicaShare: 0.5, countersTimeoutMs: 100 });
  expect(config.trustedJwks.keys[0]!.kid).toBe("k1");
  expect(config.usageFlushMs).toBeUndefined();
});

test("every problem is named at once", () => {
  let error: unknown;
  try {
    loadConfig({ REGION: "eu", CONTROL_PLANE_URL: "ftp://x", TRUSTED_JWKS: "{", PORT: "-1", MAX_BODY_BYTES: "lots", REPLICA_SHARE: "2", COUNTERS_TIMEOUT_MS: "soon" });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  for (const part of ["REGION_TOKEN is required", "DATA_DIR is required", "CONTROL_PLANE_URL must be", "trusted JWKS is invalid", "PORT must be", "MAX_BODY_BYTES must be", "REPLICA_SHARE must be", "COUNTERS_TIMEOUT_MS must be"]) {
    expect(message).toContain(part);
  }
});

test("credentials hold only GW_CRED_* variables (never the proxy's own secrets); CREDENTIAL_ENV_PREFIX and CREDENTIALS_DIR", () => {
  const config = loadConfig({ ...env, GW_CRED_OPENAI: "sk-1", REDIS_URL: "redis://u:p@h", AWS_SECRET_ACCESS_KEY: "aws" });
  expect(config.credentials).toEqual({ GW_CRED_OPENAI: "sk-1" });
  expect(config.credentialsDir).toBeUndefined();
  const custom = loadConfig({ ...env, CREDENTIAL_ENV_PREFIX: "VENDOR_", VENDOR_ANTHROPIC: "sk-2", GW_CRED_OPENAI: "sk-1", CREDENTIALS_DIR: tmpdir() });
  expect(custom.credentials).toEqual({ VENDOR_ANTHROPIC: "sk-2" });
  expect(custom.credentialsDir).toBe(tmpdir());
  for (const prefix of ["REGION", "x_"]) {
    expect(() => loadConfig({ ...env, CREDENTIAL_ENV_PREFIX: prefix })).toThrow("CREDENTIAL_ENV_PREFIX must be");
  }
});

test("CONTROL_PLANE_URL must be https unless loopback or ALLOW_INSECURE_CONTROL_PLANE=true", () => {
  for (const url of ["https://cp.example.com", "http://127.0.0.1:4000", "http://localhost:4000", "http://[::1]:4000"]) {
    expect(loadConfig({ ...env, CONTROL_PLANE_URL: url }).controlPlaneUrl).toBe(url);
  }
  for (const url of ["http://cp.example.com", "http://10.0.0.5:4000", "http://control-plane:4000", "http://127.0.0.1.evil.example"]) {
    expect(() => loadConfig({ ...env, CONTROL_PLANE_URL: url })).toThrow("CONTROL_PLANE_URL must be https");
  }
  expect(loadConfig({ ...env, CONTROL_PLANE_URL: "http://control-plane:4000", ALLOW_INSECURE_CONTROL_PLANE: "true" }).controlPlaneUrl).toBe("http://control-plane:4000");
  // Any value but true or false is a problem named as such, as for every other flag, not read as false;
  // the plain-http URL is then refused too (both problems are listed).
  expect(() => loadConfig({ ...env, CONTROL_PLANE_URL: "http://control-plane:4000", ALLOW_INSECURE_CONTROL_PLANE: "yes" })).toThrow('ALLOW_INSECURE_CONTROL_PLANE must be true or false (got "yes")');
  expect(() => loadConfig({ ...env, CONTROL_PLANE_URL: "http://control-plane:4000", ALLOW_INSECURE_CONTROL_PLANE: "yes" })).toThrow("CONTROL_PLANE_URL must be https");
  expect(() => loadConfig({ ...env, CONTROL_PLANE_URL: "https://control-plane:4000", ALLOW_INSECURE_CONTROL_PLANE: "1" })).toThrow("ALLOW_INSECURE_CONTROL_PLANE must be true or false");
  expect(() => loadConfig({ ...env, CONTROL_PLANE_URL: "", ALLOW_INSECURE_CONTROL_PLANE: "yes" })).toThrow("ALLOW_INSECURE_CONTROL_PLANE must be true or false");
});

test("CONTROL_PLANE_URL with a query or fragment is refused at start: the endpoints' paths are appended to it, and polled a URL that never answered", () => {
  // A path (an ingress prefix) is kept (shared/http/endpoint-url.ts).
  expect(loadConfig({ ...env, CONTROL_PLANE_URL: "https://api.example.com/gw" }).controlPlaneUrl).toBe("https://api.example.com/gw");
  for (const url of ["https://cp.example.com/?v=1", "https://cp.example.com?", "https://cp.example.com#top", "https://cp.example.com/gw#", "http://127.0.0.1:4000/?token=s3cret"]) {
    expect(() => loadConfig({ ...env, CONTROL_PLANE_URL: url })).toThrow("CONTROL_PLANE_URL must be the control plane's base URL, with no query (?) or fragment (#)");
  }
  // The query is masked in the error (it may hold a credential).
  expect(() => loadConfig({ ...env, CONTROL_PLANE_URL: "http://127.0.0.1:4000/?token=s3cret" })).toThrow('(got "http://127.0.0.1:4000/?***")');
});

test("METRICS_TOKEN serves /metrics to a scraper holding it; a short one or one with spaces is refused", () => {
  expect(loadConfig(env).metricsToken).toBeUndefined();
  expect(loadConfig({ ...env, METRICS_TOKEN: "scrape-0123456789abcdef" }).metricsToken).toBe("scrape-0123456789abcdef");
  expect(() => loadConfig({ ...env, METRICS_TOKEN: "short" })).toThrow("METRICS_TOKEN must be at least 16 characters");
  expect(() => loadConfig({ ...env, METRICS_TOKEN: "has spaces in the token" })).toThrow("METRICS_TOKEN must be");
});

test("LOG_FORMAT: text by default, json when asked, anything else named as a problem", () => {
  expect(loadConfig(env).logFormat).toBe("text");
  expect(loadConfig({ ...env, LOG_FORMAT: "json" }).logFormat).toBe("json");
  expect(() => loadConfig({ ...env, LOG_FORMAT: "xml" })).toThrow('LOG_FORMAT must be text or json (got "xml")');
});

test("integer variables are plain decimal: blanks, hex, exponents, decimals and leading zeros are refused, PORT stays within 0-65535", () => {
  for (const raw of [" ", "0x1F", "1e3", "3.0", "08", "+80", "80 "]) {
    expect(() => loadConfig({ ...env, PORT: raw })).toThrow("PORT must be");
    expect(() => loadConfig({ ...env, SNAPSHOT_POLL_MS: raw })).toThrow("SNAPSHOT_POLL_MS must be");
    expect(() => loadConfig({ ...env, SNAPSHOT_MAX_BYTES: raw })).toThrow("SNAPSHOT_MAX_BYTES must be");
    // The breaker's two read the same way (they were Number(): "0x10" was 16, "1e3" 1000).
    expect(() => loadConfig({ ...env, BREAKER_FAILURES: raw })).toThrow("BREAKER_FAILURES must be");
    expect(() => loadConfig({ ...env, BREAKER_COOLDOWN_MS: raw })).toThrow("BREAKER_COOLDOWN_MS must be");
  }
  expect(() => loadConfig({ ...env, BREAKER_FAILURES: "0x10" })).toThrow('BREAKER_FAILURES must be a positive decimal integer (got "0x10")');
  expect(() => loadConfig({ ...env, BREAKER_COOLDOWN_MS: " 30000" })).toThrow("BREAKER_COOLDOWN_MS must be");
  expect(() => loadConfig({ ...env, BREAKER_FAILURES: "0" })).toThrow("BREAKER_FAILURES must be");
  expect(loadConfig({ ...env, BREAKER_FAILURES: "5", BREAKER_COOLDOWN_MS: "30000" }).breaker).toEqual({ failureThreshold: 5, coolDownMs: 30000 });
  expect(() => loadConfig({ ...env, PORT: "70000" })).toThrow("PORT must be");
  expect(loadConfig({ ...env, PORT: "65535" }).port).toBe(65535);
  expect(loadConfig({ ...env, PORT: "0" }).port).toBe(0);
  expect(loadConfig({ ...env, BODY_READ_TIMEOUT_MS: "30000" }).bodyReadTimeoutMs).toBe(30_000);
  expect(loadConfig(env).bodyReadTimeoutMs).toBeUndefined();
  expect(() => loadConfig({ ...env, BODY_READ_TIMEOUT_MS: "0" })).toThrow("BODY_READ_TIMEOUT_MS must be");
});

test("millisecond variables past a timer's range (2^31 - 1 ms, ~24.8 days) are refused: a timer would fire after 1 ms instead", () => {
  for (const name of ["SNAPSHOT_POLL_MS", "SNAPSHOT_DOWNLOAD_TIMEOUT_MS", "USAGE_FLUSH_MS", "SHUTDOWN_GRACE_MS", "VENDOR_FIRST_BYTE_TIMEOUT_MS", "VENDOR_TOTAL_TIMEOUT_MS", "COUNTERS_TIMEOUT_MS", "BODY_READ_TIMEOUT_MS"]) {
    expect(() => loadConfig({ ...env, [name]: "2147483648" })).toThrow(`${name} must be`);
    // (with a total as long, which a first-byte timeout may not exceed)
    expect(() => loadConfig({ ...env, VENDOR_TOTAL_TIMEOUT_MS: "2147483647", [name]: "2147483647" })).not.toThrow();
  }
});

test("a CREDENTIAL_ENV_PREFIX that covers the proxy's own secrets (REGION_, REDIS_, METRICS_, TRUSTED_) is refused, and they never become credentials", () => {
  for (const prefix of ["REGION_", "REDIS_", "METRICS_", "TRUSTED_"]) {
    expect(() => loadConfig({ ...env, CREDENTIAL_ENV_PREFIX: prefix, REDIS_URL: "redis://u:p@h", METRICS_TOKEN: "scrape-0123456789abcdef" })).toThrow("CREDENTIAL_ENV_PREFIX");
  }
  expect(credentialVariables({ REGION_TOKEN: "regtok_x", REGION_KEY: "sk" }, "REGION_")).toEqual({ REGION_KEY: "sk" });
});

test("pinned keys are checked here, naming the variable they came from: a private key, a key that is not Ed25519, one without a kid", () => {
  const x = "TOhVR9fBlGropP6VRZm1d4Zm_2eZRGmCYrNxc_As5IU";
  const jwks = (key: object) => JSON.stringify({ keys: [key] });
  expect(() => loadConfig({ ...env, TRUSTED_JWKS: jwks({ kty: "OKP", crv: "Ed25519", x, d: x, kid: "k1" }) })).toThrow("TRUSTED_JWKS: key k1 is a private key (it has d)");
  expect(() => loadConfig({ ...env, TRUSTED_JWKS: jwks({ kty: "OKP", crv: "Ed25519", x: "short", kid: "k1" }) })).toThrow("TRUSTED_JWKS: key k1 is not an Ed25519 public key");
  expect(() => loadConfig({ ...env, TRUSTED_JWKS: jwks({ kty: "RSA", n: "x", e: "AQAB", kid: "k1" }) })).toThrow("TRUSTED_JWKS: key k1 is not an Ed25519 public key");
  expect(() => loadConfig({ ...env, TRUSTED_JWKS: jwks({ kty: "OKP", crv: "Ed25519", x }) })).toThrow("TRUSTED_JWKS: key 1 has no kid");
  expect(() => loadConfig({ ...env, TRUSTED_JWKS: "{" })).toThrow("TRUSTED_JWKS: trusted JWKS is invalid");
});

test("DATA_DIR that is a file and a HOST that cannot be listened on are refused here, not when the proxy binds", () => {
  expect(() => loadConfig({ ...env, DATA_DIR: import.meta.path })).toThrow("DATA_DIR must be a directory");
  expect(() => loadConfig({ ...env, HOST: "gateway.invalid" })).toThrow("HOST: cannot listen on gateway.invalid");
  expect(loadConfig({ ...env, HOST: "127.0.0.1" }).host).toBe("127.0.0.1");
});

test('PORT="" and HOST="" are refused at start, naming the variable: read as unset, they started the proxy on a free loopback port nothing reaches', () => {
  // An empty value comes from a template whose value was missing ("{{ .Values.port }}"), not from a wish for a free port.
  expect(() => loadConfig({ ...env, PORT: "" })).toThrow('PORT is set but empty: give the port to listen on (0 for a free one), or leave PORT unset');
  expect(() => loadConfig({ ...env, HOST: "" })).toThrow('HOST is set but empty: give the address to listen on (0.0.0.0 for every one), or leave HOST unset');
  // Unset, the defaults stay: a free port on 127.0.0.1 (local development).
  expect(loadConfig(env)).toMatchObject({ port: 0, host: undefined });
});

test("REDIS_URL takes what ioredis connects to as meant: a redis:// or rediss:// URL, an absolute socket path, host:port; a typo (rediss//host) ran the proxy on in-process counters for good", () => {
  const accepted = [
    "rediss://user:pass@redis-eu:6380/2",
    "redis://redis-eu:6379",
    // ioredis: a string starting with "/" is a Unix socket path.
    "/run/redis/redis.sock",
    // ioredis: no scheme reads as redis://host:port (what worked before the scheme was required).
    "127.0.0.1:6379",
    "redis-eu:6379",
    "redis_eu:6379",
    "[::1]:6379",
    "[2001:db8::5]:65535",
  ];
  for (const good of accepted) expect(loadConfig({ ...env, REDIS_URL: good }).redisUrl).toBe(good);
  expect(loadConfig({ ...env, REDIS_URL: "" }).redisUrl).toBeUndefined();
  const refused = [
    // Outside the three forms. Several ioredis reads as something else than meant: a relative socket
    // path (rediss//redis-eu:6379 → "//redis-eu:6379", redis-eu:6379/2 → "/2", run/redis/redis.sock →
    // host "run", socket "/redis/redis.sock"), a port on localhost ("6379"), an invalid port (0).
    "rediss//redis-eu:6379",
    // Whitespace around a URL (a mis-indented value): ioredis reads it as a socket path that never connects.
    "\tredis://:hunter2@127.0.0.1:6379",
    "redis://127.0.0.1:6379 ",
    "redis-eu:6379/2",
    "redis-eu:6379?db=2",
    "redis-eu",
    "6379",
    "//redis-eu:6379",
    "http://redis-eu:6379",
    "redis://",
    "redis-eu:0",
    "redis-eu:65536",
    "redis-eu:63a9",
    "::1:6379",
    "[::g]:6379",
    "user@redis-eu:6379",
    "run/redis/redis.sock",
    "/run/redis/redis.sock?db=2",
  ];
  // The value is quoted as shownUrl shows it (config-url-credentials.test.ts): no password, no query.
  for (const bad of refused) {
    expect(() => loadConfig({ ...env, REDIS_URL: bad })).toThrow("REDIS_URL must be a redis:// or rediss:// URL with a host, an absolute Unix socket path, or host:port (got ");
  }
  expect(() => loadConfig({ ...env, REDIS_URL: "\tredis://:hunter2@127.0.0.1:6379" })).toThrow('(got "\\tredis://***@127.0.0.1:6379")');
});

test("CREDENTIALS_DIR must be an existing directory: a wrong mount path answered every file: deployment with 502 at request time", () => {
  expect(() => loadConfig({ ...env, CREDENTIALS_DIR: "/nonexistent/secrets" })).toThrow('CREDENTIALS_DIR must be an existing directory ("/nonexistent/secrets": it does not exist)');
  expect(() => loadConfig({ ...env, CREDENTIALS_DIR: import.meta.path })).toThrow("CREDENTIALS_DIR must be an existing directory");
});

test("a first-byte timeout set above the total (given or default) is refused: the first-byte bound would never fire", () => {
  expect(() => loadConfig({ ...env, VENDOR_FIRST_BYTE_TIMEOUT_MS: "60000", VENDOR_TOTAL_TIMEOUT_MS: "30000" })).toThrow("VENDOR_FIRST_BYTE_TIMEOUT_MS");
  expect(() => loadConfig({ ...env, VENDOR_FIRST_BYTE_TIMEOUT_MS: "200000" })).toThrow("VENDOR_FIRST_BYTE_TIMEOUT_MS");
  // A short total alone still starts, as before: it bounds the first byte too.
  expect(loadConfig({ ...env, VENDOR_TOTAL_TIMEOUT_MS: "5000" }).totalTimeoutMs).toBe(5000);
  expect(loadConfig({ ...env, VENDOR_FIRST_BYTE_TIMEOUT_MS: "30000", VENDOR_TOTAL_TIMEOUT_MS: "30000" }).firstByteTimeoutMs).toBe(30000);
});

test("SNAPSHOT_MAX_BYTES above what one string can hold (2^31 - 1) is refused: a larger cap would cap nothing", () => {
  expect(() => loadConfig({ ...env, SNAPSHOT_MAX_BYTES: "2147483648" })).toThrow("SNAPSHOT_MAX_BYTES must be");
  expect(loadConfig({ ...env, SNAPSHOT_MAX_BYTES: "2147483647" }).snapshotMaxBytes).toBe(2147483647);
});

test("REPLICA_SHARE is a plain decimal fraction in (0, 1]: hex, blanks and exponents refused as for every other number", () => {
  for (const raw of ["0x1", " 0.5", "0.5 ", "1e-9", "+0.5", "-0.5", "0", "1.5", "0.", "abc"]) {
    expect(() => loadConfig({ ...env, REPLICA_SHARE: raw })).toThrow("REPLICA_SHARE must be");
  }
  for (const [raw, share] of [["0.5", 0.5], ["1", 1], ["1.0", 1], ["0.25", 0.25], [".5", 0.5]] as const) expect(loadConfig({ ...env, REPLICA_SHARE: raw }).replicaShare).toBe(share);
});

test("PROXY_ID must have the shape the control plane lists (letters, digits, . _ : -, 1-128): another would never be listed", () => {
  for (const raw of ["pod 1", "a/b", "x".repeat(129), "é"]) expect(() => loadConfig({ ...env, PROXY_ID: raw })).toThrow("PROXY_ID must be");
  expect(loadConfig({ ...env, PROXY_ID: "gateway-eu-0.pod:1_x" }).proxyId).toBe("gateway-eu-0.pod:1_x");
  expect(loadConfig(env).proxyId).toBeUndefined();
});
