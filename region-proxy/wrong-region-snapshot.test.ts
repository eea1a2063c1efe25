/**
 * A snapshot signed with the pinned key but compiled for another region is refused: the origin serves
 * the US snapshot (a newer version) at the EU path, and the EU proxy keeps running its EU snapshot.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createProxyFixture, type ProxyFixture } from "./testing/proxy-fixture.ts";
import { signSnapshot } from "../shared/snapshot/sign.ts";

let f: ProxyFixture;
beforeAll(async () => {
  f = await createProxyFixture();
});
afterAll(async () => {
  await f.cleanup();
});

test("a correctly signed snapshot for another region is not applied", async () => {
  await f.publish(f.snapshot(1));
  const proxy = await f.startProxy();
  expect(proxy.snapshotVersion()).toBe(1);
  const foreign = f.snapshot(5, (s) => {
    s.region = "us";
    s.tenants.ten_a!.status = "disabled";
  });
  f.origin.publish("eu", await signSnapshot(foreign, f.signing), 5);
  const polled = f.origin.state.snapshotRequests.length;
  for (let i = 0; i < 50 && f.origin.state.snapshotRequests.length < polled + 3; i++) await Bun.sleep(50);
  expect(f.origin.state.snapshotRequests.length).toBeGreaterThanOrEqual(polled + 3);
  expect(proxy.snapshotVersion()).toBe(1);
  const reply = await f.client(proxy).chat.completions.create({ model: "chat", messages: [{ role: "user", content: "still eu" }] });
  expect(reply.choices[0]!.message.content).toBe("Echo: still eu");
});
