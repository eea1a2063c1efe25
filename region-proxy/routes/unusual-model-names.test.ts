/**
 * A deployment whose vendor model name cannot be an HTTP header value as it is (non-Latin-1
 * characters, a line break inside: stored before the control plane refused such names, or sent by
 * a snapshot from an older control plane) is still served: x-gateway-model carries the name
 * percent-encoded, streamed or not. And whatever fails building a stream's answer, the stream is
 * settled (one usage event) and its in-flight count released.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

const METRICS_TOKEN = "metrics-token-0123456789";
/** Requests still in flight, the /metrics request that asks left out. */
const inFlight = async () => {
  const text = await (await fetch(`${proxy.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  return Number(/^gateway_in_flight (\d+)$/m.exec(text)?.[1]) - 1;
};

let fx: ProxyFixture;
let proxy: RunningProxy;
const MODELS = { wide: "echo-模型", broken: "echo-1\nmini", latin: "echo-café" };

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const [alias, model] of Object.entries(MODELS)) {
        s.deployments[`dep_${alias}`] = { id: `dep_${alias}`, provider: "openai", baseUrl: `${fx.vendor.url}/v1`, model, region: REGION, credentialRef: "env:ECHO_KEY" };
        s.aliases[alias] = { name: alias, chain: [`dep_${alias}`] };
      }
    }),
  );
  proxy = await fx.startProxy({ metricsToken: METRICS_TOKEN });
});
afterAll(() => fx.cleanup());

for (const [alias, model] of Object.entries(MODELS)) {
  for (const stream of [false, true]) {
    test(`model ${JSON.stringify(model)}, ${stream ? "streamed" : "not streamed"}: answered, x-gateway-model percent-encoded where it must be`, async () => {
      const events = fx.origin.events().length;
      const response = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
        body: JSON.stringify({ model: alias, messages: [{ role: "user", content: "hi" }], stream }),
      });
      const text = await response.text();
      expect([response.status, text.includes("Echo")]).toEqual([200, true]);
      const header = response.headers.get("x-gateway-model")!;
      expect(/^[\x20-\x7e]+$/.test(header)).toBe(true);
      expect(decodeURIComponent(header)).toBe(model);
      await waitFor(() => fx.origin.events().length === events + 1, "one usage event");
      let left = -1;
      for (let i = 0; i < 50 && left !== 0; i++) left = await (Bun.sleep(20), inFlight());
      expect(left).toBe(0);
    });
  }
}
