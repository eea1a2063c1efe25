/**
 * startControlPlane called from code (tests, an embedding program) is given numbers, not the
 * environment's text that config.ts checks. REQUIRED_APPROVALS was checked again at start,
 * ADMIN_JWT_MAX_LINEAGE_HOURS was not: a 0 or a NaN (a variable parsed by hand) reached issueToken's
 * lineage check (auth/token-lineage.ts). Both are refused at start, naming the variable, before the
 * database is opened, as the environment's are.
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
