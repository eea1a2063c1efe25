/**
 * A proxy whose CONTROL_PLANE_URL names the control plane's GraphQL endpoint instead of its base URL:
 * every snapshot poll is a 404 from a path that is not the snapshot route. It used to be silent and
 * report the control plane reachable; now the operator is told, and /health says not reachable.
 * (Review, lifecycle #2.)
 */
import { afterAll, expect, test } from "bun:test";
import { createProxyFixture, waitFor, type ProxyFixture } from "./testing/proxy-fixture.ts";

let fx: ProxyFixture;
afterAll(() => fx?.cleanup());

test("CONTROL_PLANE_URL set to the GraphQL endpoint: never ready, not reachable, and the 404 logged once naming the URL", async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
  const proxy = await fx.startProxy({ controlPlaneUrl: `${fx.origin.url}/graphql`, snapshotPollMs: 50 });
  try {
    await waitFor(() => fx.logs.some((line) => line.includes("404")), "the 404 logged");
    expect((await fetch(`${proxy.url}/ready`)).status).toBe(503);
    const health = (await (await fetch(`${proxy.url}/health`)).json()) as { status: string; controlPlaneReachable: boolean };
    expect(health).toMatchObject({ status: "starting", controlPlaneReachable: false });
    expect(fx.logs.filter((line) => line.includes("404"))).toEqual([
      expect.stringContaining(`snapshot poll: 404 from "${fx.origin.url}/graphql/internal/v1/snapshots/eu" is not the control plane's snapshot answer ("{\\"error\\":{\\"message\\":\\"no such route\\"`),
    ]);
  } finally {
    await proxy.stop();
  }
});
