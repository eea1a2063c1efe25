/**
 * `npm start` with the proxies' ports 0 ("any free port", as launcher-env.ts allows): each region's
 * publicUrl (named in residency refusals) and local-stack.json's demo.urls were written as
 * http://127.0.0.1:0, from the configured port rather than the one the proxy bound. They are the
 * proxies' real URLs now, on the first start and on a restart (another free port each time).
 */
import { afterAll, expect, test } from "bun:test";
import { launch, stopLauncher } from "../support/npm-start.ts";
import { tempDirs } from "../support/temp-dirs.ts";
import { adminClient } from "../../infra/local/admin-client.ts";
import { readLocalState } from "../../infra/local/local-state.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

test("with every port 0, each region's publicUrl and demo.urls are its proxy's real URL, on the first start and on a restart", async () => {
  const dataDir = dirs.make("gw-npm-start-zero-");
  for (const start of ["first", "restart"]) {
    const { child, output } = await launch({ DATA_DIR: dataDir, CONTROL_PLANE_PORT: 0, US_PROXY_PORT: 0, EU_PROXY_PORT: 0, ECHO_VENDOR_PORT: 0 });
    try {
      const controlPlaneUrl = /control plane \(GraphQL\)\s+(\S+)\/graphql/.exec(output)![1]!;
      const token = /admin token\s+(admtok_\S+)/.exec(output)![1]!;
      const printed = Object.fromEntries([...output.matchAll(/(us|eu) proxy \(OpenAI API\)\s+(\S+)\/v1/g)].map((m) => [m[1]!, m[2]!]));
      expect(Object.keys(printed).sort(), start).toEqual(["eu", "us"]);
      for (const url of Object.values(printed)) expect(url, start).not.toEndWith(":0");
      const { regions } = await adminClient(controlPlaneUrl, token).request<{ regions: { items: { name: string; publicUrl: string }[] } }>(`{ regions { items { name publicUrl } } }`);
      expect(Object.fromEntries(regions.items.map((r) => [r.name, r.publicUrl])), start).toEqual(printed);
      expect((await readLocalState(dataDir))?.demo?.urls?.regionUrls, start).toEqual(printed);
    } finally {
      await stopLauncher(child);
    }
  }
}, 120_000);
