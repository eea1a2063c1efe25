/** Environment → ControlPlaneConfig, for `bun control-plane/main.ts`. */
import { logFormatFromEnv } from "../shared/logging/console-log.ts";
import type { ControlPlaneConfig } from "./main.ts";
import { parsePreviousSigningKeys } from "./snapshots/previous-signing-keys.ts";

export function configFromEnv(env: Record<string, string | undefined> = process.env): ControlPlaneConfig {
  const port = Number(env.PORT ?? "4000");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be an integer 0-65535, got ${env.PORT}`);
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
