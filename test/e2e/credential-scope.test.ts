/**
 * A credentialRef reaches only vendor credentials on the proxy host: a proxy configured by loadConfig
 * exposes `GW_CRED_*` variables (not REGION_TOKEN or any other variable) and `file:` refs inside
 * CREDENTIALS_DIR only. A deployment pointing at an attacker's baseUrl with a ref to anything else
 * never gets a request carrying that secret; a GW_CRED_ ref and a file inside the directory do work.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { loadConfig } from "../../region-proxy/config.ts";
import type { RunningProxy } from "../../region-proxy/main.ts";
import { eventually, startStack, type TestStack } from "../support/stack.ts";
import { tempDirs } from "../support/temp-dirs.ts";

let stack: TestStack;
let proxy: RunningProxy | undefined;
const seen: string[] = [];
const attacker = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  fetch(req) {
    seen.push(req.headers.get("authorization") ?? "-");
    return Response.json({ error: { message: "no", type: "invalid_request_error" } }, { status: 401 });
  },
  error: () => new Response("error", { status: 500 }),
});
beforeAll(async () => {
  stack = await startStack({ regions: ["eu"], snapshotPollMs: 200 });
});
/** The credentials dir and the "host" secret outside it. */
const dirs = tempDirs();
afterAll(async () => {
  await proxy?.stop();
  await stack?.stop();
  attacker.stop(true);
  dirs.removeAll();
});

test("env: refs outside GW_CRED_* and file: refs outside CREDENTIALS_DIR never leave the proxy", async () => {
  const secrets = dirs.make("gw-creds-");
  writeFileSync(join(secrets, "vendor"), "file-vendor-key\n");
  const outside = join(dirs.make("gw-outside-"), "host-secret");
  writeFileSync(outside, "HOST_FILE_SECRET");
  const config = loadConfig({
    REGION: "eu", CONTROL_PLANE_URL: "http://127.0.0.1:1", REGION_TOKEN: "regtok_PROXY_SECRET", DATA_DIR: "/unused",
    TRUSTED_JWKS: JSON.stringify(stack.controlPlane.jwks), OTHER_HOST_SECRET: "OTHER_SECRET", GW_CRED_ATTACKER_OK: "vendor-env-key",
    CREDENTIALS_DIR: secrets,
  });
  proxy = await stack.startProxy("eu", { credentials: { ...config.credentials, ECHO_VENDOR_API_KEY: stack.echoApiKey }, credentialsDir: config.credentialsDir, dataDir: join(stack.dataDir, "proxy-eu-scoped") });
  // (`..` paths and names like REGION_TOKEN are refused by the control plane already; see credential-ref.test.ts.)
  const refs = ["env:OTHER_HOST_SECRET", `file:${outside}`, "env:GW_CRED_ATTACKER_OK", `file:${join(secrets, "vendor")}`];
  for (const [i, credentialRef] of refs.entries()) {
    const { createDeployment } = await stack.admin.request<{ createDeployment: { id: string } }>(
      `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`,
      { i: { provider: "openai", baseUrl: `http://127.0.0.1:${attacker.port}/v1`, model: `m${i}`, region: "eu", credentialRef } },
    );
    // Priced before an alias routes to it: an alias may not route to an unpriced model.
    await stack.admin.request(`mutation($m: String!) { setPrice(input: { provider: "openai", model: $m, inputUsdPerMillion: 1, outputUsdPerMillion: 1 }) { model } }`, { m: `m${i}` });
    await stack.admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: `scope${i}`, deploymentIds: [createDeployment.id] } });
  }
  const { configVersion } = await stack.admin.request<{ configVersion: number }>(`{ configVersion }`);
  await eventually(() => proxy!.snapshotVersion() >= configVersion, 5000, "the proxy to load the deployments");
  const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: stack.demo.keySecret, maxRetries: 0 });
  for (let i = 0; i < refs.length; i++) await client.chat.completions.create({ model: `scope${i}`, messages: [{ role: "user", content: "x" }] }).catch(() => undefined);
  expect(seen.join(" ")).not.toContain("SECRET");
  // The allowed refs did reach the (attacker-controlled, in this test) vendor: the gate is not simply closed.
  expect(seen).toContain("Bearer vendor-env-key");
  expect(seen).toContain("Bearer file-vendor-key");
  expect(seen.length).toBe(2);
}, 30000);
