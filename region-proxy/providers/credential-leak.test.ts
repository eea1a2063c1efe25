import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeOpenAI, type FakeOpenAI } from "../../test/fakes/openai.ts";
import type { RunningProxy } from "../main.ts";
import { CREDENTIAL_REJECTED_MESSAGE } from "./credential-rejected.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

// The fake answers a wrong key like OpenAI does, quoting the key in its 401 message. The gateway's
// (wrong) vendor key must reach no client, log line or usage event, and the call is not retried.
const SECRET = "sk-proj-LEAKY-gateway-secret-4242";
let fx: ProxyFixture;
let vendor: FakeOpenAI;
let proxy: RunningProxy;

beforeAll(async () => {
  fx = await createProxyFixture();
  vendor = await startFakeOpenAI({ apiKey: "sk-the-right-one" });
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.dep_badkey = { id: "dep_badkey", provider: "openai", baseUrl: `${vendor.url}/v1`, model: "gpt-fake", region: REGION, credentialRef: "env:WRONG_KEY" };
      s.aliases.badkey = { name: "badkey", chain: ["dep_badkey", "dep_echo1"] };
    }),
  );
  proxy = await fx.startProxy({ credentials: { ECHO_KEY: "sk-echo-test", WRONG_KEY: SECRET } });
});
afterAll(async () => {
  await fx.cleanup();
  await vendor.stop();
});

test("a vendor 401 echoing the key: 502 with a fixed message, no retry, no fallback, the key nowhere", async () => {
  for (const stream of [false, true]) {
    const before = vendor.calls();
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}` },
      body: JSON.stringify({ model: "badkey", messages: [{ role: "user", content: "hi" }], stream }),
    });
    const text = await res.text();
    expect(res.status).toBe(502);
    expect(JSON.parse(text).error).toMatchObject({ code: "upstream_error", type: "server_error" });
    expect(text).toContain(CREDENTIAL_REJECTED_MESSAGE);
    expect(text).not.toContain("LEAKY");
    expect(text).not.toContain("Incorrect API key");
    expect(res.headers.get("x-gateway-attempts")).toBe("1");
    expect(res.headers.get("x-should-retry")).toBe("false");
    expect(vendor.calls()).toBe(before + 1);
    const id = res.headers.get("x-request-id");
    await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
    const event = fx.origin.events().find((e) => e.requestId === id)!;
    expect(event.attemptTrail![0]!.reason).toBe("credential_rejected");
    expect(JSON.stringify(event)).not.toContain("LEAKY");
  }
  expect(fx.logs.join("\n")).not.toContain("LEAKY");
});
