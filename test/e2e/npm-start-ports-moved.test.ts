/**
 * `npm start` again on the same DATA_DIR with other ports: the demo it seeded follows. The echo vendor's
 * new URL reaches the seeded support-fast chain and the regions' publicUrl names the proxies' new ports,
 * through the admin API (audited), while what the launcher did not write is left alone: a deployment of
 * the user's own on the old URL, a publicUrl the user set. A start with unchanged ports changes nothing.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminClient } from "../../infra/local/admin-client.ts";
import { launch, stopLauncher, launcherPorts } from "../support/npm-start.ts";

const dataDir = await mkdtemp(join(tmpdir(), "gw-npm-start-moved-"));
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const ports = () => launcherPorts();

async function chat(proxyPort: number, key: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${proxyPort}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "support-fast", messages: [{ role: "user", content: "moved" }] }),
  });
}

type Regions = { regions: { items: { name: string; publicUrl: string | null }[] } };
type Deployments = { deployments: { items: { id: string; baseUrl: string; region: string }[] } };
type Aliases = { aliases: { items: { name: string; deployments: { baseUrl: string; region: string }[] }[] } };
const REGIONS = `{ regions { items { name publicUrl } } }`;
const DEPLOYMENTS = `{ deployments(first: 100) { items { id baseUrl region } } }`;
const ALIASES = `{ aliases { items { name deployments { baseUrl region } } } }`;

test("a restart with other ports brings the seeded deployments and the regions' publicUrl up to date, and only those", async () => {
  const before = ports();
  const first = await launch({ DATA_DIR: dataDir, ...before });
  const key = /demo key\s+(gwk_\S+)/.exec(first.output)?.[1] ?? "";
  const adminToken = /admin token\s+(admtok_\S+)/.exec(first.output)?.[1] ?? "";
  let own: { id: string };
  try {
    const firstAdmin = adminClient(`http://127.0.0.1:${before.CONTROL_PLANE_PORT}`, adminToken);
    // The user's own: a deployment on the old echo URL, and the US region's publicUrl set by hand.
    ({ createDeployment: own } = await firstAdmin.request<{ createDeployment: { id: string } }>(
      `mutation($input: CreateDeploymentInput!) { createDeployment(input: $input) { id } }`,
      { input: { provider: "openai", baseUrl: `http://127.0.0.1:${before.ECHO_VENDOR_PORT}/v1`, model: "echo-1", region: "eu", credentialRef: "env:ECHO_VENDOR_API_KEY" } },
    ));
    await firstAdmin.request(`mutation { updateRegion(input: { name: "us", publicUrl: "https://us.gateway.example" }) { name } }`);
  } finally {
    await stopLauncher(first.child);
  }

  const after = ports();
  const second = await launch({ DATA_DIR: dataDir, ...after });
  try {
    expect((await chat(after.EU_PROXY_PORT, key)).status).toBe(200);
    expect((await chat(after.US_PROXY_PORT, key)).status).toBe(200);
    const admin = adminClient(`http://127.0.0.1:${after.CONTROL_PLANE_PORT}`, adminToken);
    const { regions } = await admin.request<Regions>(REGIONS);
    expect(Object.fromEntries(regions.items.map((r) => [r.name, r.publicUrl]))).toEqual({
      eu: `http://127.0.0.1:${after.EU_PROXY_PORT}`,
      us: "https://us.gateway.example",
    });
    const { aliases } = await admin.request<Aliases>(ALIASES);
    const demo = aliases.items.find((a) => a.name === "support-fast")!;
    expect(demo.deployments.map((d) => d.baseUrl)).toEqual([`http://127.0.0.1:${after.ECHO_VENDOR_PORT}/v1`, `http://127.0.0.1:${after.ECHO_VENDOR_PORT}/v1`]);
    const { deployments } = await admin.request<Deployments>(DEPLOYMENTS);
    expect(deployments.items.find((d) => d.id === own.id)!.baseUrl).toBe(`http://127.0.0.1:${before.ECHO_VENDOR_PORT}/v1`);
    // Through the API, so audited as the bootstrap admin's changes.
    const { auditLog } = await admin.request<{ auditLog: { items: { action: string; target: string }[] } }>(`{ auditLog(first: 200) { items { action target } } }`);
    expect(auditLog.items.filter((e) => e.action === "region.update" && e.target === "eu")).toHaveLength(1);
    expect(auditLog.items.filter((e) => e.action === "alias.update" && e.target === "support-fast")).toHaveLength(1);
  } finally {
    await stopLauncher(second.child);
  }

  // The same ports again: nothing to bring up to date, so no new configuration version.
  const admin = () => adminClient(`http://127.0.0.1:${after.CONTROL_PLANE_PORT}`, adminToken);
  const third = await launch({ DATA_DIR: dataDir, ...after });
  try {
    const { auditLog } = await admin().request<{ auditLog: { items: { action: string }[] } }>(`{ auditLog(first: 200) { items { action } } }`);
    expect(auditLog.items.filter((e) => e.action === "alias.update")).toHaveLength(1);
    expect(auditLog.items.filter((e) => e.action === "region.update")).toHaveLength(2); // the user's and the launcher's
    expect((await chat(after.EU_PROXY_PORT, key)).status).toBe(200);
  } finally {
    await stopLauncher(third.child);
  }
}, 180_000);

test("a local-stack.json written before the launcher kept its deployments and URLs: the seeded chain still follows the ports", async () => {
  const oldDir = await mkdtemp(join(tmpdir(), "gw-npm-start-moved-old-"));
  try {
    const first = await launch({ DATA_DIR: oldDir, ...ports() });
    await stopLauncher(first.child);
    const key = /demo key\s+(gwk_\S+)/.exec(first.output)![1]!;
    const statePath = join(oldDir, "local-stack.json");
    const state = JSON.parse(await Bun.file(statePath).text());
    delete state.demo.deploymentIds;
    delete state.demo.urls;
    await Bun.write(statePath, JSON.stringify(state));

    const after = ports();
    const second = await launch({ DATA_DIR: oldDir, ...after });
    try {
      expect((await chat(after.EU_PROXY_PORT, key)).status).toBe(200);
      expect(second.output).toContain(`alias support-fast now routes to the echo vendor at http://127.0.0.1:${after.ECHO_VENDOR_PORT}`);
      expect(JSON.parse(await Bun.file(statePath).text()).demo.urls.vendorUrl).toBe(`http://127.0.0.1:${after.ECHO_VENDOR_PORT}`);
    } finally {
      await stopLauncher(second.child);
    }
  } finally {
    await rm(oldDir, { recursive: true, force: true });
  }
}, 180_000);
