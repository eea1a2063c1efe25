/**
 * `npm start` after a first start that went wrong. A mistyped port is refused before anything starts,
 * naming its variable (it used to surface as "publicUrl: must be an absolute http(s) URL" after the
 * control plane had minted its admin token, and every later start then refused that token as unknown).
 * A first start that stopped after the control plane minted its token but before the launcher kept it
 * gets it back from the control plane's bootstrap-admin.token, and one that stopped part way through
 * seeding goes on from what it saved.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startControlPlane } from "../../control-plane/main.ts";
import { adminClient, type AdminClient } from "../../infra/local/admin-client.ts";
import { emptySeedProgress, seedDemo, type SeedProgress } from "../../infra/local/seed-demo.ts";
import { writeLocalState } from "../../infra/local/local-state.ts";
import { launch, launchUntilExit, stopLauncher, launcherPorts } from "../support/npm-start.ts";

const roots: string[] = [];
// Removing four launchers' embedded databases can outlast the default 5 s hook timeout on a loaded machine.
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
}, 60_000);
async function freshDataDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "gw-npm-start-int-"));
  roots.push(root);
  return join(root, "data");
}

const ports = () => launcherPorts();

async function chat(proxyPort: number, key: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${proxyPort}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "support-fast", messages: [{ role: "user", content: "after a bad start" }] }),
  });
  return response.status;
}

test("a mistyped port is refused before anything starts, naming its variable; the next start with it fixed works", async () => {
  const dataDir = await freshDataDir();
  const good = ports();
  const refused = await launchUntilExit({ DATA_DIR: dataDir, ...good, EU_PROXY_PORT: "4793x" });
  expect(refused.exitCode).toBe(1);
  expect(refused.stderr).toContain('npm start: EU_PROXY_PORT must be an integer 0-65535, got "4793x"');
  expect(refused.stdout).toBe("");
  // Nothing was made, not even DATA_DIR.
  await expect(stat(dataDir)).rejects.toThrow();

  const fixed = await launch({ DATA_DIR: dataDir, ...good });
  try {
    expect(await chat(good.EU_PROXY_PORT, /demo key\s+(gwk_\S+)/.exec(fixed.output)![1]!)).toBe(200);
  } finally {
    await stopLauncher(fixed.child);
  }
}, 120_000);

test("a first start that stopped after the control plane minted its token, before local-stack.json: the launcher takes the token back", async () => {
  const dataDir = await freshDataDir();
  // What such a start leaves: the control plane's data with its token handed over in bootstrap-admin.token, no local-stack.json.
  const controlPlane = await startControlPlane({ port: 0, dataDir: join(dataDir, "control-plane"), log: () => {} });
  const minted = controlPlane.generatedAdminToken!;
  await controlPlane.stop();
  expect((await readFile(join(dataDir, "control-plane", "bootstrap-admin.token"), "utf8")).trim()).toBe(minted);

  const env = ports();
  const started = await launch({ DATA_DIR: dataDir, ...env });
  try {
    expect(started.output).toContain(`admin token   ${minted}`);
    expect(await chat(env.EU_PROXY_PORT, /demo key\s+(gwk_\S+)/.exec(started.output)![1]!)).toBe(200);
  } finally {
    await stopLauncher(started.child);
  }
}, 120_000);

test("a first start that stopped part way through seeding goes on from what it saved in local-stack.json", async () => {
  const dataDir = await freshDataDir();
  const env = ports();
  const controlPlane = await startControlPlane({ port: 0, dataDir: join(dataDir, "control-plane"), log: () => {} });
  const adminToken = controlPlane.generatedAdminToken!;
  let saved: SeedProgress = emptySeedProgress();
  try {
    // The us region and its deployment made and saved, then the start stops (before the eu region).
    const real = adminClient(controlPlane.url, adminToken);
    let sent = 0;
    const stopping: AdminClient = {
      request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
        return ++sent === 3 ? Promise.reject(new Error("stopped")) : real.request<T>(query, variables);
      },
    };
    const options = { vendorUrl: `http://127.0.0.1:${env.ECHO_VENDOR_PORT}`, regions: ["us", "eu"], regionUrls: { us: `http://127.0.0.1:${env.US_PROXY_PORT}`, eu: `http://127.0.0.1:${env.EU_PROXY_PORT}` } };
    const save = async (progress: SeedProgress) => {
      saved = JSON.parse(JSON.stringify(progress));
    };
    // Caught by hand: awaiting the seed through expect().rejects slows its requests to seconds each.
    const stopped = await seedDemo(stopping, options, { progress: emptySeedProgress(), save }).then(() => null, (error: Error) => error);
    expect(stopped?.message).toBe("stopped");
  } finally {
    await controlPlane.stop();
  }
  expect(Object.keys(saved.regionTokens)).toEqual(["us"]);
  await writeLocalState(dataDir, { adminToken, echoApiKey: "echo_interrupted", regionTokens: {}, demo: null, seeding: saved });

  const started = await launch({ DATA_DIR: dataDir, ...env });
  try {
    expect(started.output).toContain(`admin token   ${adminToken}`);
    const key = /demo key\s+(gwk_\S+)/.exec(started.output)![1]!;
    expect(await chat(env.EU_PROXY_PORT, key)).toBe(200);
    expect(await chat(env.US_PROXY_PORT, key)).toBe(200);
    const state = JSON.parse(await readFile(join(dataDir, "local-stack.json"), "utf8"));
    expect(state.regionTokens.us).toBe(saved.regionTokens.us);
    expect(state.seeding).toBeUndefined();
  } finally {
    await stopLauncher(started.child);
  }
}, 120_000);

test("local-stack.json deleted after a full start: the token comes back but the region tokens cannot, which is refused in words", async () => {
  const dataDir = await freshDataDir();
  const env = ports();
  const first = await launch({ DATA_DIR: dataDir, ...env });
  await stopLauncher(first.child);
  await rm(join(dataDir, "local-stack.json"));

  const refused = await launchUntilExit({ DATA_DIR: dataDir, ...env });
  expect(refused.exitCode).toBe(1);
  expect(refused.stderr).toContain("npm start: seeding the demo failed: region us already exists, but its proxy token (shown once, when it was created) was not kept");
  expect(refused.stderr).toContain(`delete ${dataDir} to start over`);
}, 120_000);
