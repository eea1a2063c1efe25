/**
 * What a restart with other ports may rewrite when the launcher's record of what it last wrote is
 * missing (a local-stack.json from before the record existed): only values that look like its own,
 * URLs on the launcher's own host; a public URL or vendor URL an operator set elsewhere is kept.
 */
import { expect, test } from "bun:test";
import { refreshDemoUrls } from "./refresh-demo-urls.ts";

function admin(regions: { name: string; publicUrl: string | null }[], deployments: { id: string; baseUrl: string }[]) {
  const writes: string[] = [];
  const client = {
    request: async (query: string, variables?: Record<string, unknown>) => {
      if (query.includes("regions(")) return { regions: { items: regions } };
      if (query.includes("aliases(")) {
        const rows = deployments.map((d) => ({ ...d, provider: "openai", model: "echo-1", region: "eu", credentialRef: "env:K", jurisdiction: "eu", flags: [], status: "active" }));
        return { aliases: { items: [{ name: "support-fast", deploymentIds: rows.map((d) => d.id), deployments: rows }], nextCursor: null } };
      }
      writes.push(JSON.stringify(variables));
      if (query.includes("createDeployment")) return { createDeployment: { id: "dep_new" } };
      return {};
    },
  };
  return { client: client as never, writes };
}

test("unknown record: a publicUrl and a vendor URL on another host are left as they are", async () => {
  const { client, writes } = admin([{ name: "eu", publicUrl: "https://eu.gateway.example.com" }], [{ id: "dep_eu", baseUrl: "https://vendor.example.com/v1" }]);
  await refreshDemoUrls(client, { alias: "support-fast", deploymentIds: { eu: "dep_eu" } } as never, { vendorUrl: "http://127.0.0.1:48401", regionUrls: { eu: "http://127.0.0.1:48402" } }, () => {});
  expect(writes).toEqual([]);
});

test("unknown record: URLs on the launcher's own host follow the new ports", async () => {
  const { client, writes } = admin([{ name: "eu", publicUrl: "http://127.0.0.1:4002" }], [{ id: "dep_eu", baseUrl: "http://127.0.0.1:4100/v1" }]);
  await refreshDemoUrls(client, { alias: "support-fast", deploymentIds: { eu: "dep_eu" } } as never, { vendorUrl: "http://127.0.0.1:48401", regionUrls: { eu: "http://127.0.0.1:48402" } }, () => {});
  expect(writes.some((w) => w.includes("http://127.0.0.1:48402"))).toBe(true);
  expect(writes.some((w) => w.includes("http://127.0.0.1:48401/v1"))).toBe(true);
});
