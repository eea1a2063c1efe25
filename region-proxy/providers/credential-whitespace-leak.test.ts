import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

// A vendor credential read from an env: variable with a trailing newline (a Kubernetes Secret made
// from a file, `kubectl create secret generic --from-file`, exposed with secretKeyRef) or surrounding
// spaces: the vendor gets the key without them (fetch trims a header value), so the redaction must look
// for exactly that, or a vendor error quoting the key it received reaches the client, log and usage event.
const SECRET = "sk-proj-LEAKY-gateway-secret-4242";
let fx: ProxyFixture;
let proxy: RunningProxy;
const quoting = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  fetch(request) {
    const sent = request.headers.get("authorization") ?? request.headers.get("x-api-key") ?? "";
    const path = new URL(request.url).pathname;
    if (path.startsWith("/code/")) {
      // The vendor's own error code quoting the key: the usage event keeps a vendor's code.
      return Response.json({ error: { message: "bad key header", type: "invalid_request_error", param: null, code: sent.replace(/^Bearer /, "") } }, { status: 400 });
    }
    if (path.endsWith("/v1/messages")) {
      return Response.json({ type: "error", error: { type: "invalid_request_error", message: `x-api-key ${sent} is not allowed for this model` } }, { status: 400 });
    }
    return Response.json({ error: { message: `Invalid header: ${sent} is not allowed for this model`, type: "invalid_request_error", param: null, code: null } }, { status: 400 });
  },
});

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.dep_ws = { id: "dep_ws", provider: "openai", baseUrl: `http://127.0.0.1:${quoting.port}/v1`, model: "m", region: REGION, credentialRef: "env:GW_CRED_WS" };
      s.aliases.ws = { name: "ws", chain: ["dep_ws"] };
      s.deployments.dep_ws_spaces = { ...s.deployments.dep_ws, id: "dep_ws_spaces", credentialRef: "env:GW_CRED_WS_SPACES" };
      s.aliases["ws-spaces"] = { name: "ws-spaces", chain: ["dep_ws_spaces"] };
      s.deployments.dep_ws_code = { ...s.deployments.dep_ws, id: "dep_ws_code", baseUrl: `http://127.0.0.1:${quoting.port}/code/v1` };
      s.aliases["ws-code"] = { name: "ws-code", chain: ["dep_ws_code"] };
      s.deployments.dep_ws_anthropic = { id: "dep_ws_anthropic", provider: "anthropic", baseUrl: `http://127.0.0.1:${quoting.port}`, model: "m", region: REGION, credentialRef: "env:GW_CRED_WS" };
      s.aliases["ws-anthropic"] = { name: "ws-anthropic", chain: ["dep_ws_anthropic"] };
    }),
  );
  proxy = await fx.startProxy({ credentials: { ECHO_KEY: "sk-echo-test", GW_CRED_WS: `${SECRET}\n`, GW_CRED_WS_SPACES: `  ${SECRET}  ` } });
});
afterAll(async () => {
  await fx.cleanup();
  quoting.stop(true);
});

async function chat(model: string): Promise<{ status: number; text: string; id: string | null }> {
  const res = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}` },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 5 }),
  });
  return { status: res.status, text: await res.text(), id: res.headers.get("x-request-id") };
}

for (const [model, what] of [["ws", "a trailing newline"], ["ws-spaces", "surrounding spaces"]] as const) {
  test(`a credential with ${what} is cut out of a vendor error that quotes it (response, usage event, log)`, async () => {
    const { status, text, id } = await chat(model);
    expect(status).toBe(400);
    expect(text).toContain("[redacted]");
    expect(text).not.toContain("LEAKY");
    await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
    expect(JSON.stringify(fx.origin.events().find((e) => e.requestId === id))).not.toContain("LEAKY");
    expect(fx.logs.join("\n")).not.toContain("LEAKY");
  });
}

test("the same when the vendor quotes the key in its error code (kept in the usage event)", async () => {
  const { status, text, id } = await chat("ws-code");
  expect(status).toBe(400);
  expect(text).not.toContain("LEAKY");
  await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
  expect(JSON.stringify(fx.origin.events().find((e) => e.requestId === id))).not.toContain("LEAKY");
  expect(fx.logs.join("\n")).not.toContain("LEAKY");
});

test("the same for an Anthropic deployment (x-api-key)", async () => {
  const { status, text } = await chat("ws-anthropic");
  expect(status).toBe(400);
  expect(text).not.toContain("LEAKY");
  expect(fx.logs.join("\n")).not.toContain("LEAKY");
});
