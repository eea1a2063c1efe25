import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { hashSecret } from "../../shared/ids.ts";
import { generateSigningKey, signSnapshot } from "../../shared/snapshot/sign.ts";
import type { RunningProxy } from "../main.ts";
import { startProxyOnBaseSnapshot, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;

beforeAll(async () => {
  ({ fx, proxy } = await startProxyOnBaseSnapshot());
});
afterAll(() => fx?.cleanup());

const messages = [{ role: "user" as const, content: "hi" }];
const revokeLimited = (s: { keys: Record<string, { status: string }> }) => void (s.keys[hashSecret(fx.keys.limited)]!.status = "revoked");

/**
 * Publishes a snapshot and waits until the proxy has polled at least twice more. Each refused snapshot
 * lengthens the pause between polls (up to 32 × 100 ms), so two polls may take 6.4 s.
 */
async function publishAndWaitForPolls(publish: () => void | Promise<unknown>) {
  await publish();
  const seen = fx.origin.state.snapshotRequests.length;
  await waitFor(() => fx.origin.state.snapshotRequests.length >= seen + 2, "two more polls", 10_000);
}

describe("snapshot trust", () => {
  test("a key revoked in a new snapshot is refused after the next poll", async () => {
    const client = fx.client(proxy, fx.keys.limited);
    expect((await client.chat.completions.create({ model: "chat", messages })).choices.length).toBe(1);
    await fx.publish(fx.snapshot(2, revokeLimited));
    await waitFor(() => proxy.snapshotVersion() === 2, "version 2 loaded");
    const error = await client.chat.completions.create({ model: "chat", messages }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const polls = fx.origin.state.snapshotRequests.length;
    await waitFor(() => fx.origin.state.snapshotRequests.length > polls, "one more poll");
    const last = fx.origin.state.snapshotRequests.at(-1)!;
    expect(last.headers["x-proxy-id"]).toBe(proxy.proxyId);
    expect(last.headers["x-proxy-snapshot-version"]).toBe("2");
    expect(last.headers["if-none-match"]).toBe('"2"');
  });

  test("a tampered JWS is refused and version 2 keeps serving", { timeout: 15_000 }, async () => {
    const jws = await signSnapshot(fx.snapshot(3), fx.signing); // signed, never published as is
    const [header, payload, signature] = jws.split(".");
    const decoded = JSON.parse(Buffer.from(payload!, "base64url").toString());
    decoded.keys[hashSecret(fx.keys.main)].allowedAliases = ["chat", "tampered"];
    const tampered = [header, Buffer.from(JSON.stringify(decoded)).toString("base64url"), signature].join(".");
    await publishAndWaitForPolls(() => fx.origin.publish("eu", tampered, 3));
    expect(proxy.snapshotVersion()).toBe(2);
    expect(fx.logs.some((l) => l.includes("snapshot refused: bad_signature"))).toBe(true);
    expect((await fx.client(proxy).chat.completions.create({ model: "chat", messages })).choices.length).toBe(1);
  });

  test("a JWS signed by a key that is not pinned is refused (other kid, and same kid with another key)", { timeout: 25_000 }, async () => {
    const { key: rogue } = await generateSigningKey("rogue");
    await publishAndWaitForPolls(() => fx.publish(fx.snapshot(4), rogue));
    expect(proxy.snapshotVersion()).toBe(2);
    expect(fx.logs.some((l) => l.includes("snapshot refused: unknown_key"))).toBe(true);
    const { key: impostor } = await generateSigningKey(fx.signing.kid);
    await publishAndWaitForPolls(() => fx.publish(fx.snapshot(5), impostor));
    expect(proxy.snapshotVersion()).toBe(2);
  });

  test("a lower version is refused and logged", { timeout: 15_000 }, async () => {
    await publishAndWaitForPolls(() => fx.publish(fx.snapshot(1)));
    expect(proxy.snapshotVersion()).toBe(2);
    expect(fx.logs.some((l) => l.includes("version 1 is older than held version 2"))).toBe(true);
    const error = await fx.client(proxy, fx.keys.limited).chat.completions.create({ model: "chat", messages }).catch((e) => e);
    expect(error.status).toBe(401);
  });

  test("a restart on the same data dir with the control plane down serves the stored snapshot", async () => {
    await fx.publish(fx.snapshot(6, revokeLimited));
    await waitFor(() => proxy.snapshotVersion() === 6, "version 6 loaded");
    await proxy.stop();
    await fx.origin.stop();
    const restarted = await fx.startProxy();
    expect(restarted.snapshotVersion()).toBe(6);
    expect((await fetch(`${restarted.url}/ready`)).status).toBe(200);
    const health = (await (await fetch(`${restarted.url}/health`)).json()) as { controlPlaneReachable: boolean; snapshotVersion: number };
    expect(health).toMatchObject({ controlPlaneReachable: false, snapshotVersion: 6 });
    const reply = await fx.client(restarted).chat.completions.create({ model: "chat", messages });
    expect(reply.choices[0]!.message.content).toBe("Echo: hi");
    expect((await fx.client(restarted, fx.keys.limited).chat.completions.create({ model: "chat", messages }).catch((e) => e)).status).toBe(401);
  });
});
