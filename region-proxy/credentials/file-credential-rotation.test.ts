/**
 * End to end: a `file:` credential the vendor refuses, replaced by the operator, is used by the very
 * next request, without a restart and without a snapshot change (the official SDK against a real
 * proxy and the echo vendor, which takes only its own key).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
let credsDir: string;
const messages = [{ role: "user" as const, content: "hi" }];
const withFileDeployment = (s: Snapshot) => {
  s.deployments.dep_file = { id: "dep_file", provider: "openai", baseUrl: `${fx.vendor.url}/v1`, model: "echo-1", region: REGION, credentialRef: "file:openai" };
  s.aliases.filecred = { name: "filecred", chain: ["dep_file"] };
};

beforeAll(async () => {
  fx = await createProxyFixture();
  credsDir = mkdtempSync(join(fx.dataDir, "creds-"));
  writeFileSync(join(credsDir, "openai"), "sk-old-revoked\n");
  await fx.publish(fx.snapshot(1, withFileDeployment));
  // A breaker that does not open on the refusal: the test is about the key, not the circuit.
  proxy = await fx.startProxy({ credentialsDir: credsDir, breaker: { failureThreshold: 100 } });
});
afterAll(() => fx?.cleanup());

test("a rotated credential file is picked up once the operator has replaced it", async () => {
  const client = fx.client(proxy);
  const refused = await client.chat.completions.create({ model: "filecred", messages }).catch((e) => e);
  expect(refused.status).toBe(502);
  expect(JSON.stringify(refused)).not.toContain("sk-old-revoked");
  expect(fx.logs.join("\n")).not.toContain("sk-old-revoked");

  writeFileSync(join(credsDir, "openai"), "sk-echo-test\n");
  // At once: the refusal made the proxy read the file again at its next use (no wait for the bound).
  const answer = await client.chat.completions.create({ model: "filecred", messages }).catch((e) => e);
  expect(answer.status ?? 200).toBe(200);
  expect(answer.choices?.[0]?.message?.content).toBeString();
  expect(fx.logs.join("\n")).not.toContain("sk-echo-test");
});
