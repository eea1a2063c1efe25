/**
 * Done-when 3: a snapshot with one byte changed, one signed by another key, or one older than the
 * proxy's current version is refused, and the proxy keeps serving with the snapshot it had.
 * The refused snapshots carry a real change (the demo key revoked), so accepting one would show.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { join } from "node:path";
import type { RunningProxy } from "../../region-proxy/main.ts";
import { eventually, startStack, type TestStack } from "../support/stack.ts";
import { startSnapshotInterposer, type SnapshotInterposer } from "../support/snapshot-interposer.ts";

let stack: TestStack;
let interposer: SnapshotInterposer;
let proxy: RunningProxy;
let client: OpenAI;
let replacedUrl: string;
beforeAll(async () => {
  stack = await startStack({ regions: ["eu"] });
  interposer = await startSnapshotInterposer(stack.controlPlane.url);
  replacedUrl = stack.proxies.eu!.url;
  // Each refused snapshot doubles the pause between polls, up to 32 × SNAPSHOT_POLL_MS: at 30 ms that is
  // under a second, so each mode below still sees its three fetches within expectRefused's 5 s.
  proxy = await stack.startProxy("eu", { controlPlaneUrl: interposer.url, dataDir: join(stack.dataDir, "proxy-eu-interposed"), snapshotPollMs: 30 });
  client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: stack.demo.keySecret, maxRetries: 0 });
  await eventually(() => proxy.snapshotVersion() > 0, 5000, "first snapshot");
});
afterAll(async () => {
  await proxy?.stop();
  await stack?.stop();
  await interposer?.stop();
});

test("the proxy startStack started is stopped when startProxy replaces it, not left running for the rest of the suite", async () => {
  expect(proxy.url).not.toBe(replacedUrl);
  const answer = await fetch(`${replacedUrl}/health`).then((r) => `answered ${r.status}`, () => "refused");
  expect(answer).toBe("refused");
});

const stillServes = async () => {
  const reply = await client.chat.completions.create({ model: stack.demo.alias, messages: [{ role: "user", content: "still here" }] });
  expect(reply.choices[0]!.message.content).toBe("Echo: still here");
};

/** Lets the proxy fetch a few snapshots in the given mode, then checks it kept its version and serves. */
async function expectRefused(heldVersion: number) {
  await eventually(() => interposer.servedInMode() >= 3, 5000, "the proxy to fetch the bad snapshot");
  expect(proxy.snapshotVersion()).toBe(heldVersion);
  const ready = await fetch(`${proxy.url}/ready`);
  expect(ready.status).toBe(200);
  await stillServes();
}

test("tampered, foreign-signed and older snapshots are refused; the proxy keeps serving", async () => {
  const firstVersion = proxy.snapshotVersion();
  const firstJws = interposer.seen().at(-1)!;
  // A real change, so a refused snapshot would be visible: a second tenant, then the demo key revoked.
  await stack.admin.request(`mutation { createTenant(input: { name: "second" }) { id } }`);
  const { configVersion: middle } = await stack.admin.request<{ configVersion: number }>(`{ configVersion }`);
  await eventually(() => proxy.snapshotVersion() === middle, 5000, "the proxy to load the honest newer snapshot");
  expect(middle).toBeGreaterThan(firstVersion);

  interposer.setMode({ kind: "tamper" });
  await stack.admin.request(`mutation($id: ID!) { revokeKey(id: $id) { id } }`, { id: stack.demo.keyId });
  await expectRefused(middle);

  interposer.setMode({ kind: "foreign-key", sameKid: true });
  await expectRefused(middle);
  interposer.setMode({ kind: "foreign-key", sameKid: false });
  await expectRefused(middle);

  interposer.setMode({ kind: "replay", jws: firstJws.jws, version: firstJws.version });
  await expectRefused(middle);

  // Once the real snapshot flows again, the revocation applies.
  interposer.setMode({ kind: "pass" });
  const { configVersion: latest } = await stack.admin.request<{ configVersion: number }>(`{ configVersion }`);
  await eventually(() => proxy.snapshotVersion() === latest, 5000, "the honest snapshot");
  const refused = await client.chat.completions.create({ model: stack.demo.alias, messages: [{ role: "user", content: "x" }] }).catch((e) => e);
  expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
  // Four refusals, each waited out over polls: 3-4 s on a quiet machine, past bun's default 5 s when loaded.
}, 30_000);
