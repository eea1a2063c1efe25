/**
 * startControlPlane called from code (tests, an embedding program) is given numbers, not the
 * environment's text that config.ts checks. REQUIRED_APPROVALS was checked again at start, the other
 * integer settings were not: a lineage of 0 or NaN (a variable parsed by hand) reached issueToken's
 * lineage check (auth/token-lineage.ts), a report statement timeout of 0 ran reports with no timeout,
 * a NaN configuration statement timeout broke every configuration change, a bad port failed only after
 * the migrations. Each is refused at start, naming the variable, before the database is opened, with
 * the bounds the environment's text is held to (integer-settings.ts).
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { tempDirs } from "../test/support/temp-dirs.ts";
import { startControlPlane, type ControlPlaneConfig } from "./main.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

const refused: [string, Partial<ControlPlaneConfig>, string][] = [
  ["REQUIRED_APPROVALS", { requiredApprovals: 0 }, "must be an integer from 1 to 10, got 0"],
  ["REQUIRED_APPROVALS", { requiredApprovals: Number.NaN }, "must be an integer from 1 to 10, got NaN"],
  ["ADMIN_JWT_MAX_LINEAGE_HOURS", { adminJwtMaxLineageHours: 0 }, "must be an integer from 1 to 8760, got 0"],
  ["ADMIN_JWT_MAX_LINEAGE_HOURS", { adminJwtMaxLineageHours: Number.NaN }, "must be an integer from 1 to 8760, got NaN"],
  ["ADMIN_JWT_MAX_LINEAGE_HOURS", { adminJwtMaxLineageHours: 1.5 }, "must be an integer from 1 to 8760, got 1.5"],
  ["ADMIN_JWT_MAX_LINEAGE_HOURS", { adminJwtMaxLineageHours: 8761 }, "must be an integer from 1 to 8760, got 8761"],
  ["REPORT_POOL_MAX", { reportPoolMax: 0 }, "must be an integer from 1 to 50, got 0"],
  ["REPORT_POOL_MAX", { reportPoolMax: 51 }, "must be an integer from 1 to 50, got 51"],
  ["REPORT_STATEMENT_TIMEOUT_MS", { reportStatementTimeoutMs: 0 }, "must be an integer from 1 to 3600000, got 0"],
  ["REPORT_STATEMENT_TIMEOUT_MS", { reportStatementTimeoutMs: 3_600_001 }, "must be an integer from 1 to 3600000, got 3600001"],
  ["CONFIG_LOCK_TIMEOUT_MS", { configLockTimeoutMs: 0 }, "must be an integer from 1 to 3600000, got 0"],
  ["CONFIG_LOCK_TIMEOUT_MS", { configLockTimeoutMs: 2.5 }, "must be an integer from 1 to 3600000, got 2.5"],
  ["CONFIG_STATEMENT_TIMEOUT_MS", { configStatementTimeoutMs: Number.NaN }, "must be an integer from 1 to 3600000, got NaN"],
  ["CONFIG_STATEMENT_TIMEOUT_MS", { configStatementTimeoutMs: 0 }, "must be an integer from 1 to 3600000, got 0"],
  ["BODY_READ_TIMEOUT_MS", { bodyReadTimeoutMs: 0 }, "must be an integer from 1 to 3600000, got 0"],
  ["BODY_READ_TIMEOUT_MS", { bodyReadTimeoutMs: Number.NaN }, "must be an integer from 1 to 3600000, got NaN"],
  ["PORT", { port: -1 }, "must be an integer from 0 to 65535, got -1"],
  ["PORT", { port: 65536 }, "must be an integer from 0 to 65535, got 65536"],
  ["PORT", { port: Number.NaN }, "must be an integer from 0 to 65535, got NaN"],
];
for (const [variable, setting, why] of refused) {
  test(`${JSON.stringify(setting).replace("null", "NaN")} from code: refused naming ${variable}, no database made`, async () => {
    const dataDir = dirs.make("cp-from-code-");
    const start = startControlPlane({ port: 0, dataDir, log: () => {}, ...setting });
    // Should it start after all, it is stopped, not left listening for the rest of the run.
    start.then((cp) => cp.stop(), () => {});
    await expect(start).rejects.toThrow(`${variable}: ${why}`);
    expect(existsSync(join(dataDir, "pglite"))).toBe(false);
  });
}
