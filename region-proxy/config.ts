/**
 * Environment → ProxyConfig, with one clear error naming every problem at once.
 */
import { readFileSync, statSync } from "node:fs";
import { listenProblem } from "../shared/config/listen-probe.ts";
import { shownUrl } from "../shared/config/shown-url.ts";
import type { JWK } from "jose";
import { parseDecimalInteger } from "../shared/config/decimal-integer.ts";
import { logFormatFromEnv, type LogFormat } from "../shared/logging/console-log.ts";
import { breakerOptionsFromEnv } from "./breaker/create-breaker.ts";
import { CREDENTIAL_PREFIX_PATTERN, DEFAULT_CREDENTIAL_ENV_PREFIX, credentialVariables, ownVariablesCovered } from "./credentials/credential-variables.ts";
import { PROXY_ID_PATTERN } from "../shared/snapshot/proxy-id.ts";

export interface ProxyConfig {
  region: string;
  controlPlaneUrl: string;
  regionToken: string;
  trustedJwks: { keys: JWK[] };
  /** The Deno KV file lives here (dataDir/proxy.kv). */
  dataDir: string;
  /** 0 = a free port. */
  port: number;
  host?: string;
  proxyId?: string;
  snapshotPollMs?: number;
  /** How long a poll may take to receive the snapshot body once the control plane answered (SNAPSHOT_DOWNLOAD_TIMEOUT_MS, default 60 s). */
  snapshotDownloadTimeoutMs?: number;
  /** A larger snapshot answer is refused without being held (SNAPSHOT_MAX_BYTES, default 256 MB). */
  snapshotMaxBytes?: number;
  usageFlushMs?: number;
  /**
   * Usage events the outbox stores at most while the control plane does not take them
   * (USAGE_OUTBOX_MAX_EVENTS); past it new events are refused and logged. Default 5,000,000, ~250 MB:
   * why, in DEFAULT_MAX_STORED_EVENTS (outbox/outbox-thread.ts).
   */
  usageOutboxMaxEvents?: number;
  maxBodyBytes?: number;
  /** How long a request body may take to arrive, whole (BODY_READ_TIMEOUT_MS, default 60 s): past it a 408 and the connection closed. */
  bodyReadTimeoutMs?: number;
  shutdownGraceMs?: number;
  /** Vendor timeouts: until the first byte (headers / first stream chunk), and for the whole request. */
  firstByteTimeoutMs?: number;
  totalTimeoutMs?: number;
  /** Shared rate-limit and budget counters for the region; unset = in-process counters. */
  redisUrl?: string;
  /** This replica's share of every limit while Redis is unreachable (1 / replicas); default 1. */
  replicaShare?: number;
  /** A counters call to Redis slower than this counts as failed and degrades the replica (default 250 ms). */
  countersTimeoutMs?: number;
  /** Circuit breaker: failures that open it, cool-down, and (tests) the Redis key prefix; shared through `redisUrl` when set. */
  breaker?: { failureThreshold?: number; coolDownMs?: number; prefix?: string };
  /**
   * Where `env:NAME` credential refs resolve. `loadConfig` puts only the `GW_CRED_*` variables here
   * (never the whole environment); programmatic callers pass exactly the credentials they mean.
   */
  credentials?: Record<string, string | undefined>;
  /** The only directory `file:` credential refs may read (CREDENTIALS_DIR); unset = file refs refused. */
  credentialsDir?: string;
  /**
   * ALLOW_PRIVATE_MEDIA_URLS=true: media URLs aimed inside the operator's network (openai/media-url.ts)
   * are sent on instead of refused, for a self-hosted server meant to fetch from internal storage. Default false.
   */
  allowPrivateMediaUrls?: boolean;
  /** Bearer token for GET /metrics (METRICS_TOKEN); unset = /metrics is not served. */
  metricsToken?: string;
  /** How the default log prints (LOG_FORMAT): text lines, or one JSON object per line. Unused when `log` is given. */
  logFormat?: LogFormat;
  log?: (line: string) => void;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** The longest delay a timer honours (2^31 - 1 ms): past it, setTimeout fires after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;
/** The longest string the runtime holds (2^31 - 1 characters): a snapshot cap above it caps nothing. */
const MAX_STRING_LENGTH = 2_147_483_647;
/** Vendor call timeouts for deployments without their own (VENDOR_FIRST_BYTE_TIMEOUT_MS, VENDOR_TOTAL_TIMEOUT_MS). */
export const DEFAULT_VENDOR_TIMEOUTS = { firstByteMs: 10_000, totalMs: 120_000 } as const;
/** A replica's share of each limit: a plain decimal fraction ("0.5", ".5", "1"), read like every other number here. */
const DECIMAL_FRACTION = /^(?:0|1)?(?:\.\d+)?$/;

/**
 * A plain decimal integer (no sign, blanks, hex, exponent, fraction or leading zero: `Number` alone
 * reads " " as 0 and "0x1F" as 31), at most `max`.
 */
function positiveInt(env: Record<string, string | undefined>, name: string, problems: string[], allowZero = false, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = parseDecimalInteger(raw);
  if (value === null || value > max || (!allowZero && value === 0)) {
    const range = max === Number.MAX_SAFE_INTEGER ? "" : ` up to ${max}`;
    problems.push(`${name} must be a ${allowZero ? "non-negative" : "positive"} decimal integer${range} (got "${raw}")`);
    return undefined;
  }
  return value;
}

/** PROXY_ID as the control plane lists it: any other id would poll fine and never be listed. */
function proxyId(env: Record<string, string | undefined>, problems: string[]): string | undefined {
  const id = env.PROXY_ID;
  if (id === undefined || id === "") return undefined;
  if (!PROXY_ID_PATTERN.test(id)) problems.push(`PROXY_ID must be 1-128 characters of letters, digits and . _ : - (got "${id}")`);
  return id;
}

/** A scraper's bearer token: long enough not to be guessed (the endpoint faces the same network as applications). */
function metricsToken(env: Record<string, string | undefined>, problems: string[]): string | undefined {
  const token = env.METRICS_TOKEN;
  if (token === undefined || token === "") return undefined;
  if (token.length < 16 || /\s/.test(token)) problems.push("METRICS_TOKEN must be at least 16 characters with no spaces");
  return token;
}

/** A setting that is `true` or `false` (unset or empty: `false`); any other value is a problem, not read as false. */
function flag(env: Record<string, string | undefined>, name: string, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "" || raw === "false") return false;
  if (raw === "true") return true;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return false;
}

function logFormat(env: Record<string, string | undefined>, problems: string[]): LogFormat {
  const format = logFormatFromEnv(env.LOG_FORMAT);
  if (typeof format === "string") return format;
  problems.push(format.error);
  return "text";
}

/** JWK members that hold private or symmetric key material (RFC 7518 §6): never pinned. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/**
 * Each pinned key checked here, as importTrustedKeys (shared/snapshot/verify.ts) would refuse it at start
 * as a stack trace or a DOMException dump: a kid, public only, Ed25519 with a 32-byte x.
 */
function trustedKeyProblem(value: unknown, index: number): string | null {
  const key = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof key.kid !== "string" || key.kid === "") return `key ${index + 1} has no kid`;
  const secret = PRIVATE_MEMBERS.filter((member) => member in key);
  if (secret.length > 0) return `key ${key.kid} is a private key (it has ${secret.join(", ")}); pin only the public key`;
  const x = typeof key.x === "string" && /^[A-Za-z0-9_-]+$/.test(key.x) ? Buffer.from(key.x, "base64url") : null;
  if (key.kty !== "OKP" || key.crv !== "Ed25519" || x?.length !== 32) return `key ${key.kid} is not an Ed25519 public key (kty OKP, crv Ed25519, x: 32 bytes base64url)`;
  return null;
}

/**
 * A kid pinned twice: verification looks a key up by its kid, so only one of the two would be trusted
 * and every snapshot signed with the other refused (an old and a new key kept under one kid during a
 * rotation). The control plane refuses the same in SIGNING_KEY_PREVIOUS_JWKS.
 */
function repeatedKidProblems(keys: unknown[]): string[] {
  const kids = keys.map((key) => (typeof key === "object" && key !== null ? (key as { kid?: unknown }).kid : undefined)).filter((kid) => typeof kid === "string" && kid !== "");
  const repeated = [...new Set(kids.filter((kid, index) => kids.indexOf(kid) !== index))];
  return repeated.map((kid) => `kid ${kid} is listed twice; each pinned key needs a kid of its own (give a new signing key a new kid)`);
}

function parseJwks(env: Record<string, string | undefined>, problems: string[]): { keys: JWK[] } {
  let text = env.TRUSTED_JWKS;
  // Named in every problem: the variable the operator has to fix.
  const source = text ? "TRUSTED_JWKS" : "TRUSTED_JWKS_FILE";
  if (!text && env.TRUSTED_JWKS_FILE) {
    try {
      text = readFileSync(env.TRUSTED_JWKS_FILE, "utf8");
    } catch (error) {
      problems.push(`TRUSTED_JWKS_FILE cannot be read: ${(error as Error).message}`);
      return { keys: [] };
    }
  }
  if (!text) {
    problems.push("TRUSTED_JWKS (JSON) or TRUSTED_JWKS_FILE (path) is required: the control plane's public keys to pin");
    return { keys: [] };
  }
  let parsed: { keys?: unknown };
  try {
    parsed = JSON.parse(text) as { keys?: unknown };
    if (!Array.isArray(parsed?.keys) || parsed.keys.length === 0) throw new Error("expected { keys: [...] } with at least one key");
  } catch (error) {
    problems.push(`${source}: trusted JWKS is invalid: ${(error as Error).message}`);
    return { keys: [] };
  }
  const keyProblems = [...(parsed.keys as unknown[]).map(trustedKeyProblem), ...repeatedKidProblems(parsed.keys as unknown[])].filter((problem) => problem !== null);
  for (const problem of keyProblems) problems.push(`${source}: ${problem}`);
  return keyProblems.length > 0 ? { keys: [] } : (parsed as { keys: JWK[] });
}

/** host:port as ioredis reads a string without a scheme: a hostname, an IPv4 or a bracketed IPv6, and a port. */
const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?):([0-9]{1,5})$/;

/**
 * The region's Redis in a form ioredis connects to as written: a redis:// or rediss:// URL with a host,
 * an absolute Unix socket path (ioredis: a string starting with "/"), or host:port (ioredis prefixes
 * redis://). Anything else is refused: ioredis reads almost any string as something, e.g. "rediss//host"
 * as the relative socket path "//host" and "host:6379/2" as the socket "/2", and the proxy then ran on
 * in-process counters for good.
 */
function redisUrlProblem(raw: string): string | null {
  const problem = `REDIS_URL must be a redis:// or rediss:// URL with a host, an absolute Unix socket path, or host:port (got ${shownUrl(raw)})`;
  // Whitespace or control characters (a mis-indented YAML or .env value) make ioredis read a URL as a
  // socket path that never connects; `new URL` below would strip them and accept it.
  if (/[\s\x00-\x1f\x7f]/.test(raw)) return problem;
  // "//x" is a protocol-relative URL to ioredis, not a path; a "?" would end the path there (its options follow).
  if (raw.startsWith("/")) return raw.startsWith("//") || raw.includes("?") ? problem : null;
  const hostPort = HOST_PORT.exec(raw);
  if (hostPort) {
    const port = Number(hostPort[1]);
    return port >= 1 && port <= 65_535 && URL.canParse(`redis://${raw}`) ? null : problem;
  }
  try {
    const url = new URL(raw);
    return (url.protocol === "redis:" || url.protocol === "rediss:") && url.hostname !== "" ? null : problem;
  } catch {
    return problem;
  }
}

/** `file:` refs resolve inside CREDENTIALS_DIR: a wrong mount path used to surface only as a 502 per request. */
function credentialsDirProblem(dir: string): string | null {
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (!stat) return `CREDENTIALS_DIR must be an existing directory ("${dir}": it does not exist)`;
  return stat.isDirectory() ? null : `CREDENTIALS_DIR must be an existing directory ("${dir}" is not a directory)`;
}

/** DATA_DIR is created when absent; a file in its place failed the start later, as an EEXIST trace. */
function dataDirProblem(dir: string): string | null {
  const stat = statSync(dir, { throwIfNoEntry: false });
  return stat && !stat.isDirectory() ? `DATA_DIR must be a directory ("${dir}" exists and is not one)` : null;
}

/**
 * The region token travels to CONTROL_PLANE_URL on every poll, so it must be https, except to a
 * loopback address (local development) or with ALLOW_INSECURE_CONTROL_PLANE=true (a private network
 * the operator vouches for). Snapshots are signed either way; the token is what plain http exposes.
 * It is a base URL: the endpoints' paths are appended to it (shared/http/endpoint-url.ts), so a path
 * (an ingress prefix) is kept, and a query or fragment (even an empty "?" or "#") is refused: the
 * paths would land inside it ("https://cp/?v=1/internal/v1/…").
 */
function controlPlaneUrlProblem(raw: string, allowInsecure: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `CONTROL_PLANE_URL must be an http(s) URL (got ${shownUrl(raw)})`;
  }
  // In a URL that parses, a "?" or "#" can only start the query or the fragment.
  if (/[?#]/.test(raw)) return `CONTROL_PLANE_URL must be the control plane's base URL, with no query (?) or fragment (#): the proxy appends its endpoints' paths to it (got ${shownUrl(raw)})`;
  if (url.protocol === "https:") return null;
  if (url.protocol !== "http:") return `CONTROL_PLANE_URL must be an http(s) URL (got ${shownUrl(raw)})`;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const loopback = host === "localhost" || host.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(host) || host === "::1";
  if (loopback || allowInsecure) return null;
  return `CONTROL_PLANE_URL must be https (the region token is sent to it); plain http is allowed only to localhost/loopback or with ALLOW_INSECURE_CONTROL_PLANE=true (got ${shownUrl(raw)})`;
}

/** Reads the proxy's configuration from an environment; throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ProxyConfig {
  const problems: string[] = [];
  const required = (name: string) => {
    const value = env[name];
    if (!value) problems.push(`${name} is required`);
    return value ?? "";
  };
  const region = required("REGION");
  const controlPlaneUrl = required("CONTROL_PLANE_URL");
  // Read even without a URL, so a bad value is named beside the missing URL.
  const allowInsecureControlPlane = flag(env, "ALLOW_INSECURE_CONTROL_PLANE", problems);
  if (controlPlaneUrl) {
    const problem = controlPlaneUrlProblem(controlPlaneUrl, allowInsecureControlPlane);
    if (problem) problems.push(problem);
  }
  const regionToken = required("REGION_TOKEN");
  const credentialPrefix = env.CREDENTIAL_ENV_PREFIX || DEFAULT_CREDENTIAL_ENV_PREFIX;
  if (!CREDENTIAL_PREFIX_PATTERN.test(credentialPrefix)) {
    problems.push(`CREDENTIAL_ENV_PREFIX must be upper-case letters, digits and _, ending in _ (got "${credentialPrefix}")`);
  } else if (ownVariablesCovered(credentialPrefix).length > 0) {
    problems.push(`CREDENTIAL_ENV_PREFIX must not cover the proxy's own variables (got "${credentialPrefix}", which covers ${ownVariablesCovered(credentialPrefix).join(", ")})`);
  }
  const dataDir = required("DATA_DIR");
  const dataDirIsNotOne = dataDir ? dataDirProblem(dataDir) : null;
  if (dataDirIsNotOne) problems.push(dataDirIsNotOne);
  // Set but empty (a template whose value was missing): unlike the optional settings, read as unset these
  // start the proxy on a free port on 127.0.0.1, which no Service, probe or balancer reaches.
  if (env.PORT === "") problems.push("PORT is set but empty: give the port to listen on (0 for a free one), or leave PORT unset");
  if (env.HOST === "") problems.push("HOST is set but empty: give the address to listen on (0.0.0.0 for every one), or leave HOST unset");
  // Otherwise found only when the server binds, the last step of a start (KV opened, outbox running).
  const hostProblem = env.HOST ? listenProblem(env.HOST) : null;
  if (hostProblem) problems.push(`HOST: ${hostProblem}`);
  const trustedJwks = parseJwks(env, problems);
  const port = positiveInt(env, "PORT", problems, true, 65_535) ?? 0;
  let replicaShare: number | undefined;
  if (env.REPLICA_SHARE) {
    replicaShare = DECIMAL_FRACTION.test(env.REPLICA_SHARE) && /\d/.test(env.REPLICA_SHARE) && !env.REPLICA_SHARE.endsWith(".") ? Number(env.REPLICA_SHARE) : NaN;
    if (!(replicaShare > 0 && replicaShare <= 1)) problems.push(`REPLICA_SHARE must be a number in (0, 1], e.g. 0.5 for two replicas (got "${env.REPLICA_SHARE}")`);
  }
  for (const problem of [env.REDIS_URL ? redisUrlProblem(env.REDIS_URL) : null, env.CREDENTIALS_DIR ? credentialsDirProblem(env.CREDENTIALS_DIR) : null]) {
    if (problem) problems.push(problem);
  }
  let breaker: ProxyConfig["breaker"];
  try {
    breaker = breakerOptionsFromEnv(env);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const config: ProxyConfig = {
    region,
    controlPlaneUrl,
    regionToken,
    trustedJwks,
    dataDir,
    port,
    host: env.HOST || undefined,
    proxyId: proxyId(env, problems),
    snapshotPollMs: positiveInt(env, "SNAPSHOT_POLL_MS", problems, false, MAX_TIMER_MS),
    snapshotDownloadTimeoutMs: positiveInt(env, "SNAPSHOT_DOWNLOAD_TIMEOUT_MS", problems, false, MAX_TIMER_MS),
    snapshotMaxBytes: positiveInt(env, "SNAPSHOT_MAX_BYTES", problems, false, MAX_STRING_LENGTH),
    usageFlushMs: positiveInt(env, "USAGE_FLUSH_MS", problems, false, MAX_TIMER_MS),
    usageOutboxMaxEvents: positiveInt(env, "USAGE_OUTBOX_MAX_EVENTS", problems),
    maxBodyBytes: positiveInt(env, "MAX_BODY_BYTES", problems),
    bodyReadTimeoutMs: positiveInt(env, "BODY_READ_TIMEOUT_MS", problems, false, MAX_TIMER_MS),
    shutdownGraceMs: positiveInt(env, "SHUTDOWN_GRACE_MS", problems, true, MAX_TIMER_MS),
    firstByteTimeoutMs: positiveInt(env, "VENDOR_FIRST_BYTE_TIMEOUT_MS", problems, false, MAX_TIMER_MS),
    totalTimeoutMs: positiveInt(env, "VENDOR_TOTAL_TIMEOUT_MS", problems, false, MAX_TIMER_MS),
    redisUrl: env.REDIS_URL || undefined,
    replicaShare,
    countersTimeoutMs: positiveInt(env, "COUNTERS_TIMEOUT_MS", problems, false, MAX_TIMER_MS),
    breaker,
    credentials: credentialVariables(env, credentialPrefix),
    credentialsDir: env.CREDENTIALS_DIR || undefined,
    allowPrivateMediaUrls: flag(env, "ALLOW_PRIVATE_MEDIA_URLS", problems),
    metricsToken: metricsToken(env, problems),
    logFormat: logFormat(env, problems),
  };
  // A first-byte bound past the total is never armed (vendor-call.ts): one set so would be silently off.
  // Only a first-byte timeout the operator set is held to it: a short total alone bounds the first byte too.
  const totalMs = config.totalTimeoutMs ?? DEFAULT_VENDOR_TIMEOUTS.totalMs;
  if (config.firstByteTimeoutMs !== undefined && config.firstByteTimeoutMs > totalMs) {
    problems.push(`VENDOR_FIRST_BYTE_TIMEOUT_MS (${config.firstByteTimeoutMs}) must not exceed VENDOR_TOTAL_TIMEOUT_MS (${totalMs}): the first-byte bound would never fire`);
  }
  if (problems.length > 0) throw new ConfigError(`region proxy configuration is invalid:\n  - ${problems.join("\n  - ")}`);
  return config;
}
