/**
 * `npm start` with a port another program holds: refused in one line naming the variable and its port,
 * before anything starts. It used to fail with a stack trace naming no variable, and only after state
 * was made: the control plane's port after its database was migrated and the bootstrap token minted (a
 * user who then deleted bootstrap-admin.token, as the log says, was refused on every retry), the EU
 * proxy's after the demo was seeded and the US proxy started (exit 1 without stopping it gracefully).
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { launchUntilExit, launcherPorts } from "../support/npm-start.ts";
import { tempDirs } from "../support/temp-dirs.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

for (const variable of ["CONTROL_PLANE_PORT", "US_PROXY_PORT", "EU_PROXY_PORT", "ECHO_VENDOR_PORT"] as const) {
  test(`${variable} held by another program: one line naming ${variable} and its port, exit 1, nothing made`, async () => {
    const ports = launcherPorts();
    const squatter = Bun.listen({ hostname: "127.0.0.1", port: ports[variable], socket: { data() {} } });
    const dataDir = join(dirs.make("gw-npm-start-in-use-"), "data");
    try {
      const run = await launchUntilExit({ DATA_DIR: dataDir, ...ports });
      expect(run.exitCode).toBe(1);
      expect(run.stderr.trim().split("\n")).toEqual([`npm start: ${variable} ${ports[variable]} is in use by another program; set ${variable} to a free port`]);
      expect(run.stdout).toBe("");
      // Nothing minted or seeded: the retry on another port is a clean first start.
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      squatter.stop(true);
    }
  }, 60_000);
}
