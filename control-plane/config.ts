/** Environment → ControlPlaneConfig, for `bun control-plane/main.ts`. */
import { logFormatFromEnv } from "../shared/logging/console-log.ts";
import type { ControlPlaneConfig } from "./main.ts";
import { parsePreviousSigningKeys } from "./snapshots/previous-signing-keys.ts";

/**
 * A port from the environment variable `name`: unset or empty means `fallback` (an empty PORT was
 * Number("") = 0, a random port, where every other variable reads empty as unset); otherwise plain
 * decimal, 0-65535 (0: any free port), as the proxy reads its integers (no sign, blank, hex, exponent,
 * fraction or leading zero), so "4793x", "1e3" or " 4000" fail the start naming the variable.
 */
export function portFromEnv(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = /^(0|[1-9]\d{0,4})$/.test(raw) ? Number(raw) : NaN;
  if (!(port <= 65535)) throw new Error(`${name} must be an integer 0-65535, got ${JSON.stringify(raw)}`);
  return port;
}

export function configFromEnv(env: Record<string, string | undefined> = process.env): ControlPlaneConfig {
  const port = portFromEnv(env, "PORT", 4000);
  const logFormat = logFormatFromEnv(env.LOG_FORMAT);
  if (typeof logFormat !== "string") throw new Error(logFormat.error);
  return {
    port,
    host: env.HOST || "127.0.0.1",
    databaseUrl: env.DATABASE_URL || null,
    dataDir: env.DATA_DIR || ".data/control-plane",
    adminToken: env.ADMIN_TOKEN || null,
    signingKeyJwk: env.SIGNING_KEY_JWK || null,
    previousSigningKeys: parsePreviousSigningKeys(env.SIGNING_KEY_PREVIOUS_JWKS),
    tokenSecret: env.ADMIN_JWT_SECRET || null,
    auditHmacKey: env.AUDIT_HMAC_KEY || null,
    requiredApprovals: env.REQUIRED_APPROVALS ? Number(env.REQUIRED_APPROVALS) : undefined,
    trustForwardedFor: env.TRUST_FORWARDED_FOR === "true",
    budgetWebhookUrl: env.BUDGET_WEBHOOK_URL || null,
    logFormat,
  };
}
