/**
 * The control plane: config → database → migrations → signing key → admin token → snapshots signed with
 * that key (republished after a key change) → GraphQL + internal HTTP endpoints. `startControlPlane` is
 * what tests and the local launcher call; running this file reads the environment (see config.ts) and
 * serves until SIGINT/SIGTERM.
 */
import "reflect-metadata";
import type { JWK } from "jose";
import { consoleLog, consoleRefusal, type LogFormat } from "../shared/logging/console-log.ts";
import { ensureAdminToken } from "./admin/admin-token.repo.ts";
import { adminTokenProblem } from "./admin/admin-token-problem.ts";
import { writeBootstrapToken } from "./auth/bootstrap-token-file.ts";
import { ControlPlaneConfigError, configFromEnv, readSetting } from "./config.ts";
import { checkedSigningKey, parseSigningKeyJwk } from "./signing-key-jwk.ts";
import { listenProblem } from "../shared/config/listen-probe.ts";
import { shownUrl } from "../shared/config/shown-url.ts";
import { DEFAULT_REPORT_POOL, openDatabase, type ReportPoolOptions } from "./db/client.ts";
import { migrate } from "./db/migrate.ts";
import { startApollo } from "./graphql/apollo.ts";
import { buildSchemaFromAnyDirectory } from "./graphql/schema-from-any-directory.ts";
import { startHttpServer } from "./http/server.ts";
import { loadSigningKey } from "./snapshots/signing-key.ts";
import { republishForSigningKey } from "./snapshots/republish-for-signing-key.ts";
import { publishedJwks } from "./snapshots/previous-signing-keys.ts";
import { checkTokenSecret, loadTokenSecret } from "./auth/token-secret.ts";
import { DEFAULT_MAX_LINEAGE_HOURS } from "./auth/token-lineage.ts";
import { checkedIntegerSetting, type IntegerSetting } from "./integer-settings.ts";
import { loadAuditKey, useAuditKey } from "./audit/use-audit-key.ts";
import { keyAuditChain } from "./audit/audit-key.ts";
import { boundConfigLock, DEFAULT_CONFIG_LOCK_BOUNDS, type ConfigLockBounds } from "./audit/config-lock.ts";
import { startChangeTicker } from "./changes/change-ticker.ts";
import { startWebhookWorker } from "./budgets/deliver-webhooks.ts";
import type { AppDeps, GovernanceSettings } from "./graphql/context.ts";
import { httpUrl } from "../shared/http/http-url.ts";
import { DEFAULT_BODY_READ_TIMEOUT_MS } from "../shared/http/read-body-bytes.ts";
import { startStoppingOnSignals } from "../shared/process/stop-on-signals.ts";
import { flushRefusedReads } from "./audit/refused-read-throttle.ts";

export interface ControlPlaneConfig {
  port: number; // 0 = pick a free port
  host?: string; // default 127.0.0.1
  databaseUrl?: string | null; // null/undefined → embedded PGlite under dataDir/pglite behind pglite-socket
  dataDir: string; // holds pglite data and signing-key.jwk (created 0600 if absent)
  adminToken?: string | null; // if set: accepted as bootstrap admin token (its hash stored)
  signingKeyJwk?: string | null; // private Ed25519 JWK JSON; else read/create dataDir/signing-key.jwk
  /** SIGNING_KEY_PREVIOUS_JWKS: retired public keys the JWKS still lists after the current one (a rotation's overlap). */
  previousSigningKeys?: JWK[];
  log?: (line: string) => void; // default: stdout, as `logFormat` says
  /** LOG_FORMAT: text lines (default) or one JSON object per line. */
  logFormat?: LogFormat;
  tokenSecret?: string | null; // HS256 secret for admin JWTs; else read/create dataDir/admin-jwt.secret
  auditHmacKey?: string | null; // AUDIT_HMAC_KEY, the audit chain's key (≥ 32 chars); else read/create dataDir/audit-hmac.key
  requiredApprovals?: number; // approvals a change request needs (default 1)
  /** ADMIN_JWT_MAX_LINEAGE_HOURS: how long a principal's renewals of its own token may run (auth/token-lineage.ts; default 768). */
  adminJwtMaxLineageHours?: number;
  trustForwardedFor?: boolean; // audit x-forwarded-for as the client address (only behind a trusted proxy)
  /** ALLOW_PLAINTEXT_VENDOR_URLS: accept a plain http:// deployment baseUrl to any host, not only private ones (deployments/plaintext-base-url.ts; default false). */
  allowPlaintextVendorUrls?: boolean;
  changeTickMs?: number; // how often scheduled change requests are checked (default 1000)
  onQuery?: (query: string) => void; // every SQL statement sent (tests count statements with it)
  budgetWebhookUrl?: string | null; // budget alerts are POSTed here (BUDGET_WEBHOOK_URL), retried with backoff
  /** BUDGET_WEBHOOK_SECRET (≥ 32 chars): when set, every webhook POST is signed (budgets/sign-webhook.ts). */
  budgetWebhookSecret?: string | null;
  /** REPORT_POOL_MAX: connections of the report pool (spend reports), apart from the proxies' (default 2). */
  reportPoolMax?: number;
  /** REPORT_STATEMENT_TIMEOUT_MS: a report's statement is cancelled after this long (default 30000). */
  reportStatementTimeoutMs?: number;
  /** CONFIG_LOCK_TIMEOUT_MS: a configuration change waits at most this long for any one lock, then answers BUSY (default 10000). */
  configLockTimeoutMs?: number;
  /** CONFIG_STATEMENT_TIMEOUT_MS: any one statement of a configuration change is cancelled after this long, and it answers BUSY (default 30000). */
  configStatementTimeoutMs?: number;
  /** BODY_READ_TIMEOUT_MS: a POST body (GraphQL, usage, leases) not whole this long after reaching its route gets a 408 and its connection closed (default 60000). */
  bodyReadTimeoutMs?: number;
}

export interface RunningControlPlane {
  url: string;
  port: number;
  /** Set only when this start generated a new admin token (first start, no adminToken given): shown once. */
  generatedAdminToken: string | null;
  jwks: { keys: JWK[] }; // public keys, current first, then previous ones (same as GET /.well-known/jwks.json)
  stop(): Promise<void>; // closes HTTP, DB pool, PGlite
}

/** The numbers a start uses, each setting given or its default: what checkBeforeDatabase holds to their bounds. */
interface StartNumbers {
  governance: GovernanceSettings;
  reportPool: ReportPoolOptions;
  lockBounds: ConfigLockBounds;
  bodyReadTimeoutMs: number;
}

/**
 * What the configuration needs checked beyond its text, before the database is opened: a bad secret
 * used to be refused only after the migrations had run (on DATABASE_URL: production's database
 * migrated by a start with a typo'd key). Each refusal names its variable. Nothing is written here.
 */
async function checkBeforeDatabase(config: ControlPlaneConfig, numbers: StartNumbers): Promise<void> {
  // Numbers from a code caller; config.ts checked the environment's text with the same bounds (integer-settings.ts).
  const { governance, reportPool, lockBounds, bodyReadTimeoutMs } = numbers;
  const integers: [IntegerSetting, number][] = [
    ["PORT", config.port],
    ["REQUIRED_APPROVALS", governance.requiredApprovals],
    ["ADMIN_JWT_MAX_LINEAGE_HOURS", governance.adminJwtMaxLineageHours],
    ["REPORT_POOL_MAX", reportPool.max],
    ["REPORT_STATEMENT_TIMEOUT_MS", reportPool.statementTimeoutMs],
    ["CONFIG_LOCK_TIMEOUT_MS", lockBounds.lockTimeoutMs],
    ["CONFIG_STATEMENT_TIMEOUT_MS", lockBounds.statementTimeoutMs],
    ["BODY_READ_TIMEOUT_MS", bodyReadTimeoutMs],
  ];
  for (const [variable, value] of integers) readSetting(variable, () => checkedIntegerSetting(variable, value));
  const host = config.host ?? "127.0.0.1";
  const hostProblem = listenProblem(host);
  if (hostProblem) throw new ControlPlaneConfigError("HOST", hostProblem);
  // It becomes the only bootstrap token, revoking the previous one: a value no request can present locks the operator out.
  const adminToken = config.adminToken ? adminTokenProblem(config.adminToken) : null;
  if (adminToken) throw new ControlPlaneConfigError("ADMIN_TOKEN", adminToken);
  readSetting("ADMIN_JWT_SECRET", () => checkTokenSecret(config.tokenSecret));
  // Only a configured key: without one, loadAuditKey reads or creates DATA_DIR's file (a write).
  if (config.auditHmacKey) await readSetting("AUDIT_HMAC_KEY", () => loadAuditKey(config.dataDir, config.auditHmacKey)).catch(namedAs("AUDIT_HMAC_KEY"));
  if (config.signingKeyJwk) {
    const jwk = config.signingKeyJwk;
    const key = await readSetting("SIGNING_KEY_JWK", () => checkedSigningKey(parseSigningKeyJwk(jwk))).catch(namedAs("SIGNING_KEY_JWK"));
    // The retired keys against the current one (same kid, another key): refused here rather than after the migrations.
    await publishedJwks(key, config.previousSigningKeys ?? []).catch(namedAs("SIGNING_KEY_PREVIOUS_JWKS"));
  }
}

/**
 * For openDatabase's rejection: with DATABASE_URL set, what the driver says (a bad % escape's URI error,
 * ECONNREFUSED, ENOTFOUND, a database that does not exist, a refused password) is refused naming
 * DATABASE_URL, the URL shown masked (shownUrl: never the user or password). The embedded database's
 * failures are thrown as they were.
 */
function databaseUrlRefused(databaseUrl: string | null | undefined): (error: unknown) => never {
  return (error) => {
    if (!databaseUrl) throw error;
    const escape = error instanceof URIError ? " (a % in the user name or password must be written %25)" : "";
    throw new ControlPlaneConfigError("DATABASE_URL", `cannot open ${shownUrl(databaseUrl)}: ${(error as Error).message}${escape}`);
  };
}

/** For a promise's rejection: rethrown as a ControlPlaneConfigError naming `variable`. */
function namedAs(variable: string): (error: unknown) => never {
  return (error) => readSetting(variable, () => {
    throw error;
  });
}

export async function startControlPlane(config: ControlPlaneConfig): Promise<RunningControlPlane> {
  const log = config.log ?? consoleLog(config.logFormat ?? "text", { service: "control-plane" });
  const governance: GovernanceSettings = {
    requiredApprovals: config.requiredApprovals ?? 1,
    adminJwtMaxLineageHours: config.adminJwtMaxLineageHours ?? DEFAULT_MAX_LINEAGE_HOURS,
  };
  const reportPool: ReportPoolOptions = {
    max: config.reportPoolMax ?? DEFAULT_REPORT_POOL.max,
    statementTimeoutMs: config.reportStatementTimeoutMs ?? DEFAULT_REPORT_POOL.statementTimeoutMs,
  };
  const lockBounds: ConfigLockBounds = {
    lockTimeoutMs: config.configLockTimeoutMs ?? DEFAULT_CONFIG_LOCK_BOUNDS.lockTimeoutMs,
    statementTimeoutMs: config.configStatementTimeoutMs ?? DEFAULT_CONFIG_LOCK_BOUNDS.statementTimeoutMs,
  };
  const bodyReadTimeoutMs = config.bodyReadTimeoutMs ?? DEFAULT_BODY_READ_TIMEOUT_MS;
  await checkBeforeDatabase(config, { governance, reportPool, lockBounds, bodyReadTimeoutMs });
  const db = await openDatabase(config.databaseUrl, config.dataDir, config.onQuery, log, reportPool).catch(databaseUrlRefused(config.databaseUrl));
  try {
    const applied = await migrate(db.sql);
    if (applied.length > 0) log(`control plane applied migrations: ${applied.join(", ")}`);
    const auditKey = await useAuditKey(db.sql, config.dataDir, config.auditHmacKey, log);
    // GraphQL appends audit rows through its own pool.
    keyAuditChain(db.admin, auditKey);
    // Changes run on both pools: GraphQL's, and the change ticker's applying scheduled requests.
    for (const pool of [db.sql, db.admin]) boundConfigLock(pool, lockBounds);
    const signingKey = await loadSigningKey(config.dataDir, config.signingKeyJwk);
    const jwks = await publishedJwks(signingKey, config.previousSigningKeys ?? []);
    let tokenFile = "";
    const generatedAdminToken = await ensureAdminToken(db.sql, config.adminToken, async (token) => (tokenFile = await writeBootstrapToken(config.dataDir, token)));
    if (generatedAdminToken) log(`control plane generated the bootstrap admin token: written to ${tokenFile} (mode 0600); read it once, then delete the file`);
    const tokenSecret = await loadTokenSecret(config.dataDir, config.tokenSecret);
    const deps: AppDeps = {
      sql: db.sql,
      reports: db.reports,
      reportStatementTimeoutMs: reportPool.statementTimeoutMs,
      signingKey,
      tokenSecret,
      governance,
      trustForwardedFor: config.trustForwardedFor ?? false,
      allowPlaintextVendorUrls: config.allowPlaintextVendorUrls ?? false,
      log,
    };
    // Before serving: a proxy's first poll after a key change must get a snapshot the JWKS verifies.
    const republished = await republishForSigningKey(deps);
    if (republished) {
      const was = [...new Set(republished.signedBy.map((kid) => kid ?? "no key"))].join(", ");
      log(`control plane signing key ${signingKey.kid}: republished the configuration as version ${republished.version} (the newest snapshot of ${republished.regions.join(", ")} was signed by ${was})`);
    }
    const apollo = await startApollo(await buildSchemaFromAnyDirectory(), log);
    // GraphQL runs on the admin pool (Database.admin), the proxies' endpoints on `sql`.
    const adminDeps: AppDeps = { ...deps, sql: db.admin };
    let server: ReturnType<typeof startHttpServer>;
    try {
      server = startHttpServer({ port: config.port, host: config.host ?? "127.0.0.1", apollo, deps, adminDeps, jwks, bodyReadTimeoutMs });
    } catch (error) {
      await apollo.stop();
      throw new Error(`control plane cannot listen on ${config.host ?? "127.0.0.1"}:${config.port}: ${(error as Error).message}`);
    }
    const url = httpUrl(server.hostname!, server.port!);
    const ticker = startChangeTicker(deps, config.changeTickMs ?? 1000);
    const webhooks = startWebhookWorker({ sql: db.sql, url: config.budgetWebhookUrl ?? null, secret: config.budgetWebhookSecret ?? null, log });
    log(`control plane database: ${db.kind}`);
    log(`control plane listening on ${url}`);
    return {
      url,
      port: server.port!,
      generatedAdminToken,
      jwks,
      async stop() {
        await ticker.stop();
        await webhooks.stop();
        await server.stop(true);
        await apollo.stop();
        // The refused reads held for a summary row, and those of operations still running (waited for a
        // little: audit/refused-read-throttle.ts), while the database is open.
        await flushRefusedReads(adminDeps).catch((error) => log(`could not audit the refused reads held at stop: ${String(error)}`));
        await db.close();
      },
    };
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}

/** A start that cannot go on: one line on stderr (`control plane: <VARIABLE>: <why>` for a setting; a JSON object with LOG_FORMAT=json), no stack trace, exit 1. */
function refuse(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  consoleRefusal(process.env.LOG_FORMAT, { service: "control-plane" }, `control plane: ${message.replace(/^control plane /, "").replace(/\s*\n\s*/g, " ")}`);
  process.exit(1);
}

if (import.meta.main) {
  let config: ControlPlaneConfig;
  try {
    config = configFromEnv();
  } catch (error) {
    refuse(error);
  }
  const log = consoleLog(config.logFormat ?? "text", { service: "control-plane" });
  // Installed before the start (database connect, migrations): the image runs Bun as PID 1, which
  // ignores a signal it has no handler for. A signal during the start stops the control plane once
  // started; a second exits at once (130/143).
  await startStoppingOnSignals(() => startControlPlane({ ...config, log }), { log, afterStop: () => log("control plane stopped") }).catch(refuse);
}
