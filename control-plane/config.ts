/**
 * Environment → ControlPlaneConfig, for `bun control-plane/main.ts`. Every variable is parsed and checked
 * here, before the control plane opens its database: a bad one throws ControlPlaneConfigError naming it,
 * which main.ts prints as one line. (What needs a key import, SIGNING_KEY_JWK's and AUDIT_HMAC_KEY's
 * last checks, runs at the very start of startControlPlane, still before the database.)
 */
import { statSync } from "node:fs";
import { parseDecimalInteger } from "../shared/config/decimal-integer.ts";
import { shownUrl } from "../shared/config/shown-url.ts";
import { logFormatFromEnv } from "../shared/logging/console-log.ts";
import { checkedIntegerSetting, INTEGER_SETTINGS, type IntegerSetting } from "./integer-settings.ts";
import type { ControlPlaneConfig } from "./main.ts";
import { parsePreviousSigningKeys } from "./snapshots/previous-signing-keys.ts";
import { parseSigningKeyJwk } from "./signing-key-jwk.ts";

/** A refused setting: `message` is `<VARIABLE>: <why>`, the line main.ts prints after "control plane: ". */
export class ControlPlaneConfigError extends Error {
  override readonly name = "ControlPlaneConfigError";
  constructor(
    readonly variable: string,
    why: string,
  ) {
    super(`${variable}: ${why}`);
  }
}

/** Runs one variable's parser; whatever it throws becomes a ControlPlaneConfigError naming the variable (once). */
export function readSetting<T>(variable: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ControlPlaneConfigError) throw error;
    const message = (error as Error).message;
    const why = message.startsWith(variable) ? message.slice(variable.length).replace(/^:?\s*/, "") : message;
    throw new ControlPlaneConfigError(variable, why);
  }
}

/**
 * A port from the environment variable `name`: unset or empty means `fallback` (an empty PORT was
 * Number("") = 0, a random port, where every other variable reads empty as unset); otherwise plain
 * decimal, 0-65535 (0: any free port), as the proxy reads its integers (no sign, blank, hex, exponent,
 * fraction or leading zero), so "4793x", "1e3" or " 4000" fail the start naming the variable.
 */
export function portFromEnv(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = parseDecimalInteger(raw);
  const { min, max } = INTEGER_SETTINGS.PORT;
  if (port === null || port < min || port > max) throw new Error(`${name} must be an integer ${min}-${max}, got ${JSON.stringify(raw)}`);
  return port;
}

/** The data dir may not exist yet (it is created), but a file in its place would fail half-way through the start. */
function dataDir(raw: string | undefined): string {
  return checkedDataDir(raw || ".data/control-plane");
}

/**
 * A DATA_DIR is created when absent; a file in its place is refused here, before anything is made (it
 * failed later with EEXIST and a stack trace). npm start's launcher (infra/local/launcher-env.ts) checks
 * its DATA_DIR with this too. A relative one is relative to the working directory.
 */
export function checkedDataDir(dir: string): string {
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory()) throw new Error(`${JSON.stringify(dir)} exists and is not a directory`);
  return dir;
}

/**
 * DATABASE_URL: unset or empty means the embedded database (null); otherwise a postgres:// or postgresql://
 * URL, as postgres.js reads anything else (a scheme-less "db.example.com:5432/gw") as unset and connects
 * to 127.0.0.1:5432. The refusal shows the scheme only, never the URL (it holds the password). npm start's
 * launcher (infra/local/launcher-env.ts) checks it with this too.
 */
export function checkedDatabaseUrl(raw: string | undefined): string | null {
  if (!raw) return null;
  let protocol: string;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    throw new Error("must be a postgres:// or postgresql:// URL (it does not parse as a URL)");
  }
  if (protocol !== "postgres:" && protocol !== "postgresql:") throw new Error(`must be a postgres:// or postgresql:// URL, got scheme ${protocol}`);
  return raw;
}

/**
 * An integer setting from the environment's text, held to its bounds by checkedIntegerSetting as a code
 * caller's number is (the text shown in the refusal); unset or empty means the default (undefined).
 */
function integerIn(variable: IntegerSetting): (raw: string | undefined) => number | undefined {
  return (raw) => (raw ? checkedIntegerSetting(variable, parseDecimalInteger(raw) ?? NaN, JSON.stringify(raw)) : undefined);
}

const requiredApprovals = integerIn("REQUIRED_APPROVALS");
const reportPoolMax = integerIn("REPORT_POOL_MAX");
const reportStatementTimeoutMs = integerIn("REPORT_STATEMENT_TIMEOUT_MS");
const configLockTimeoutMs = integerIn("CONFIG_LOCK_TIMEOUT_MS");
const configStatementTimeoutMs = integerIn("CONFIG_STATEMENT_TIMEOUT_MS");
const adminJwtMaxLineageHours = integerIn("ADMIN_JWT_MAX_LINEAGE_HOURS");
const bodyReadTimeoutMs = integerIn("BODY_READ_TIMEOUT_MS");

/** A yes/no setting (TRUST_FORWARDED_FOR, ALLOW_PLAINTEXT_VENDOR_URLS): unset, empty or `false` is false, `true` is true, anything else fails the start. */
export function trueOrFalse(raw: string | undefined): boolean {
  if (raw === undefined || raw === "" || raw === "false") return false;
  if (raw === "true") return true;
  throw new Error(`must be true or false, got ${JSON.stringify(raw)}`);
}

/**
 * Where budget alerts are POSTed: an absolute http(s) URL with a host. Without a scheme ("hooks.example.com/x")
 * the start used to succeed and every delivery failed later, retried until it gave up. The refusal quotes
 * it through shownUrl: a webhook URL often holds a credential (user:password, a query token).
 */
function budgetWebhookUrl(raw: string | undefined): string | null {
  if (!raw) return null;
  const problem = `must be an absolute http:// or https:// URL, got ${shownUrl(raw)}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(problem);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") throw new Error(problem);
  return raw;
}

/**
 * The budget webhook's signing secret (budgets/sign-webhook.ts): at least 32 characters, as AUDIT_HMAC_KEY,
 * so a receiver's check is not guessable; a shorter one fails the start (the length, not the value, is shown).
 */
function budgetWebhookSecret(raw: string | undefined): string | null {
  if (!raw) return null;
  if (raw.length < 32) throw new Error(`must be at least 32 characters, got ${raw.length}`);
  return raw;
}

/**
 * HOST, the address to listen on: unset means 127.0.0.1 (local development). Set but empty (a template
 * whose value was missing) fails the start, as the proxy's does: read as unset it bound loopback only,
 * which no Service, probe or balancer reaches. Whether the address can be listened on is checked at the
 * start (main.ts checkBeforeDatabase).
 */
function host(raw: string | undefined): string {
  if (raw === "") throw new Error("is set but empty: give the address to listen on (0.0.0.0 for every one), or leave HOST unset");
  return raw ?? "127.0.0.1";
}

export function configFromEnv(env: Record<string, string | undefined> = process.env): ControlPlaneConfig {
  const port = readSetting("PORT", () => portFromEnv(env, "PORT", 4000));
  const logFormat = readSetting("LOG_FORMAT", () => {
    const format = logFormatFromEnv(env.LOG_FORMAT);
    if (typeof format !== "string") throw new Error(format.error);
    return format;
  });
  const signingKeyJwk = env.SIGNING_KEY_JWK || null;
  if (signingKeyJwk) readSetting("SIGNING_KEY_JWK", () => parseSigningKeyJwk(signingKeyJwk));
  return {
    port,
    host: readSetting("HOST", () => host(env.HOST)),
    databaseUrl: readSetting("DATABASE_URL", () => checkedDatabaseUrl(env.DATABASE_URL)),
    dataDir: readSetting("DATA_DIR", () => dataDir(env.DATA_DIR)),
    adminToken: env.ADMIN_TOKEN || null,
    signingKeyJwk,
    previousSigningKeys: readSetting("SIGNING_KEY_PREVIOUS_JWKS", () => parsePreviousSigningKeys(env.SIGNING_KEY_PREVIOUS_JWKS)),
    tokenSecret: env.ADMIN_JWT_SECRET || null,
    auditHmacKey: env.AUDIT_HMAC_KEY || null,
    requiredApprovals: readSetting("REQUIRED_APPROVALS", () => requiredApprovals(env.REQUIRED_APPROVALS)),
    adminJwtMaxLineageHours: readSetting("ADMIN_JWT_MAX_LINEAGE_HOURS", () => adminJwtMaxLineageHours(env.ADMIN_JWT_MAX_LINEAGE_HOURS)),
    trustForwardedFor: readSetting("TRUST_FORWARDED_FOR", () => trueOrFalse(env.TRUST_FORWARDED_FOR)),
    allowPlaintextVendorUrls: readSetting("ALLOW_PLAINTEXT_VENDOR_URLS", () => trueOrFalse(env.ALLOW_PLAINTEXT_VENDOR_URLS)),
    budgetWebhookUrl: readSetting("BUDGET_WEBHOOK_URL", () => budgetWebhookUrl(env.BUDGET_WEBHOOK_URL)),
    budgetWebhookSecret: readSetting("BUDGET_WEBHOOK_SECRET", () => budgetWebhookSecret(env.BUDGET_WEBHOOK_SECRET)),
    reportPoolMax: readSetting("REPORT_POOL_MAX", () => reportPoolMax(env.REPORT_POOL_MAX)),
    reportStatementTimeoutMs: readSetting("REPORT_STATEMENT_TIMEOUT_MS", () => reportStatementTimeoutMs(env.REPORT_STATEMENT_TIMEOUT_MS)),
    configLockTimeoutMs: readSetting("CONFIG_LOCK_TIMEOUT_MS", () => configLockTimeoutMs(env.CONFIG_LOCK_TIMEOUT_MS)),
    configStatementTimeoutMs: readSetting("CONFIG_STATEMENT_TIMEOUT_MS", () => configStatementTimeoutMs(env.CONFIG_STATEMENT_TIMEOUT_MS)),
    bodyReadTimeoutMs: readSetting("BODY_READ_TIMEOUT_MS", () => bodyReadTimeoutMs(env.BODY_READ_TIMEOUT_MS)),
    logFormat,
  };
}
