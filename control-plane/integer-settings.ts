/**
 * The bounds of the control plane's integer settings, one place for each: config.ts holds the
 * environment's text to them, startControlPlane (main.ts checkBeforeDatabase) a code caller's numbers,
 * so that neither accepts what the other refuses.
 */
import { MAX_LINEAGE_HOURS_RANGE } from "./auth/token-lineage.ts";

interface IntegerRange {
  readonly min: number;
  readonly max: number;
}

/** Up to an hour; 0 (PostgreSQL's "no timeout") is refused, as a report or a change waiting on a held row must end. */
const TIMEOUT_MS: IntegerRange = { min: 1, max: 3_600_000 };

export const INTEGER_SETTINGS = {
  /** 0: any free port. */
  PORT: { min: 0, max: 65535 },
  REQUIRED_APPROVALS: { min: 1, max: 10 },
  /** At least a token's hour, at most a year, so that a leaked token's renewals always end (auth/token-lineage.ts). */
  ADMIN_JWT_MAX_LINEAGE_HOURS: MAX_LINEAGE_HOURS_RANGE,
  /** The report pool's connections (db/client.ts), apart from the proxies' 10. */
  REPORT_POOL_MAX: { min: 1, max: 50 },
  REPORT_STATEMENT_TIMEOUT_MS: TIMEOUT_MS,
  /** CONFIG_LOCK_TIMEOUT_MS and CONFIG_STATEMENT_TIMEOUT_MS bound a configuration change (audit/config-lock.ts). */
  CONFIG_LOCK_TIMEOUT_MS: TIMEOUT_MS,
  CONFIG_STATEMENT_TIMEOUT_MS: TIMEOUT_MS,
  /** How long a request body may take to arrive, whole (http/body-read-timeout.ts). */
  BODY_READ_TIMEOUT_MS: TIMEOUT_MS,
} as const satisfies Record<string, IntegerRange>;

export type IntegerSetting = keyof typeof INTEGER_SETTINGS;

/**
 * `value` for the setting (a code caller's number, or the environment's text parsed: config.ts, which
 * passes the text as `shown`); outside its bounds (NaN, a fraction) it throws (readSetting names the variable).
 */
export function checkedIntegerSetting(variable: IntegerSetting, value: number, shown: string = String(value)): number {
  const { min, max } = INTEGER_SETTINGS[variable];
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`must be an integer from ${min} to ${max}, got ${shown}`);
  return value;
}
