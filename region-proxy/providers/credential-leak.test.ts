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
/**
 * A vendor that starts a stream, then breaks it with an in-band error quoting the credential it was
 * sent (OpenAI's `data: {"error": ...}`, Anthropic's `event: error`): the failure is written to the
 * client after its first bytes, past the attempt's own redaction.
 */
const quoting = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  fetch(request) {
    const sent = request.headers.get("authorization") ?? request.headers.get("x-api-key") ?? request.headers.get("x-goog-api-key") ?? request.headers.get("api-key") ?? "";
    // An error page (a proxy's or firewall's) that echoes the request's headers past the 500
    // characters an adapter keeps of a body that is not the vendor's JSON.
    if (new URL(request.url).pathname.startsWith("/html/")) return new Response(`<html>${"x".repeat(480)} ${sent}</html>`, { status: 400, headers: { "content-type": "text/html" } });
    const data = (event: unknown) => `data: ${JSON.stringify(event)}\n\n`;
    // An error event before any content, quoting the key: the attempt's failure, answered as a 400.
    // The same with no message, so the adapter cuts the raw event to its 500-character excerpt: the
    // key stands across that cut.
    if (new URL(request.url).pathname.startsWith("/early-cut/")) {
      const prefix = JSON.stringify({ type: "error", error: { type: "invalid_request_error", detail: "" } }).length - 3;
      return new Response(`event: error\n${data({ type: "error", error: { type: "invalid_request_error", detail: `${"x".repeat(490 - prefix)}${sent}` } })}`, { headers: { "content-type": "text/event-stream" } });
    }
    if (new URL(request.url).pathname.startsWith("/early-cut-gemini/")) {
      const prefix = JSON.stringify({ error: { code: 400, status: "INVALID_ARGUMENT", detail: "" } }).length - 3;
      return new Response(data({ error: { code: 400, status: "INVALID_ARGUMENT", detail: `${"x".repeat(490 - prefix)}${sent}` } }), { headers: { "content-type": "text/event-stream" } });
    }
    if (new URL(request.url).pathname.startsWith("/early-cut-azure/")) {
      const prefix = JSON.stringify({ error: { code: "content_filter", status: 400, message: null, detail: "" } }).length - 3;
      return new Response(data({ error: { code: "content_filter", status: 400, message: null, detail: `${"x".repeat(490 - prefix)}${sent}` } }), { headers: { "content-type": "text/event-stream" } });
    }
    // A Gemini stream that starts, then sends a page that is not JSON and quotes the key past the
    // 100 characters of it the error frame keeps.
    if (new URL(request.url).pathname.startsWith("/mid-cut-gemini/")) {
      const first = { candidates: [{ content: { role: "model", parts: [{ text: "Hel" }] }, index: 0 }] };
      return new Response(`${data(first)}data: <html>${"x".repeat(84)}${sent}</html>\n\n`, { headers: { "content-type": "text/event-stream" } });
    }
    if (new URL(request.url).pathname.startsWith("/early/")) {
      return new Response(`event: error\n${data({ type: "error", error: { type: "invalid_request_error", message: `bad header value ${sent}` } })}`, { headers: { "content-type": "text/event-stream" } });
    }
    const body = new URL(request.url).pathname.endsWith("/v1/messages")
      ? `event: message_start\n${data({ type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "m", content: [], usage: { input_tokens: 3, output_tokens: 0 } } })}` +
        `event: content_block_start\n${data({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } })}` +
        `event: content_block_delta\n${data({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hel" } })}` +
        `event: error\n${data({ type: "error", error: { type: "invalid_request_error", message: `bad header value ${sent}` } })}`
      : data({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { role: "assistant", content: "Hel" }, finish_reason: null }] }) +
        data({ error: { message: `stream aborted; request carried ${sent}` } });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  },
});

beforeAll(async () => {
  fx = await createProxyFixture();
  vendor = await startFakeOpenAI({ apiKey: "sk-the-right-one" });
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.dep_badkey = { id: "dep_badkey", provider: "openai", baseUrl: `${vendor.url}/v1`, model: "gpt-fake", region: REGION, credentialRef: "env:WRONG_KEY" };
      // Its own deployment (its own breaker state) for the fallback test.
      s.deployments.dep_badkey_first = { ...s.deployments.dep_badkey, id: "dep_badkey_first" };
      s.aliases.badkey = { name: "badkey", chain: ["dep_badkey_first", "dep_echo1"] };
      s.aliases.badkeyonly = { name: "badkeyonly", chain: ["dep_badkey"] };
      const quoted = `http://127.0.0.1:${quoting.port}`;
      s.deployments.dep_quote_openai = { id: "dep_quote_openai", provider: "openai", baseUrl: `${quoted}/v1`, model: "m", region: REGION, credentialRef: "env:WRONG_KEY" };
      s.deployments.dep_quote_anthropic = { id: "dep_quote_anthropic", provider: "anthropic", baseUrl: quoted, model: "m", region: REGION, credentialRef: "env:WRONG_KEY" };
      s.aliases["quote-openai"] = { name: "quote-openai", chain: ["dep_quote_openai"] };
      s.aliases["quote-anthropic"] = { name: "quote-anthropic", chain: ["dep_quote_anthropic"] };
      s.deployments.dep_html_anthropic = { id: "dep_html_anthropic", provider: "anthropic", baseUrl: `${quoted}/html`, model: "m", region: REGION, credentialRef: "env:WRONG_KEY" };
      s.aliases["html-anthropic"] = { name: "html-anthropic", chain: ["dep_html_anthropic"] };
      s.deployments.dep_early_anthropic = { id: "dep_early_anthropic", provider: "anthropic", baseUrl: `${quoted}/early`, model: "m", region: REGION, credentialRef: "env:WRONG_KEY" };
      s.aliases["early-anthropic"] = { name: "early-anthropic", chain: ["dep_early_anthropic"] };
      s.deployments.dep_early_cut_anthropic = { id: "dep_early_cut_anthropic", provider: "anthropic", baseUrl: `${quoted}/early-cut`, model: "m", region: REGION, credentialRef: "env:WRONG_KEY" };
      s.aliases["early-cut-anthropic"] = { name: "early-cut-anthropic", chain: ["dep_early_cut_anthropic"] };
      s.deployments.dep_early_cut_gemini = { id: "dep_early_cut_gemini", provider: "gemini", baseUrl: `${quoted}/early-cut-gemini`, model: "m", region: REGION, credentialRef: "env:WRONG_KEY" };
      s.aliases["early-cut-gemini"] = { name: "early-cut-gemini", chain: ["dep_early_cut_gemini"] };
      s.deployments.dep_early_cut_azure = { id: "dep_early_cut_azure", provider: "azure", baseUrl: `${quoted}/early-cut-azure`, model: "m", region: REGION, credentialRef: "env:WRONG_KEY" };
      s.aliases["early-cut-azure"] = { name: "early-cut-azure", chain: ["dep_early_cut_azure"] };
      s.deployments.dep_mid_cut_gemini = { id: "dep_mid_cut_gemini", provider: "gemini", baseUrl: `${quoted}/mid-cut-gemini`, model: "m", region: REGION, credentialRef: "env:WRONG_KEY" };
      s.aliases["mid-cut-gemini"] = { name: "mid-cut-gemini", chain: ["dep_mid_cut_gemini"] };
    }),
  );
  proxy = await fx.startProxy({ credentials: { ECHO_KEY: "sk-echo-test", WRONG_KEY: SECRET } });
});
afterAll(async () => {
  await fx.cleanup();
  await vendor.stop();
  quoting.stop(true);
});

test("a vendor 401 echoing the key, on the only deployment: 502 with a fixed message, no retry, the key nowhere", async () => {
  for (const stream of [false, true]) {
    const before = vendor.calls();
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}` },
      body: JSON.stringify({ model: "badkeyonly", messages: [{ role: "user", content: "hi" }], stream }),
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

test("a vendor 401 on the first deployment: not retried, the next deployment (its own key) answers, the key nowhere", async () => {
  for (const stream of [false, true]) {
    const before = vendor.calls();
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}` },
      body: JSON.stringify({ model: "badkey", messages: [{ role: "user", content: "hi" }], stream }),
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toContain("LEAKY");
    expect(res.headers.get("x-gateway-attempts")).toBe("2");
    expect(res.headers.get("x-gateway-fallback")).toBe("true");
    expect(vendor.calls()).toBe(before + 1);
    const id = res.headers.get("x-request-id");
    await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
    const event = fx.origin.events().find((e) => e.requestId === id)!;
    expect(event.attemptTrail!.map((s) => [s.deploymentId, s.outcome, s.reason])).toEqual([
      ["dep_badkey_first", "error", "credential_rejected"],
      ["dep_echo1", "ok", null],
    ]);
  }
});

test("a stream broken mid-way by a vendor error quoting the key: the client's error frame carries the vendor's words, not the key", async () => {
  for (const model of ["quote-openai", "quote-anthropic"]) {
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}` },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], stream: true, max_tokens: 5 }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("Hel"); // the stream had started: the failure came as an error frame
    const frame = text.split("\n").find((line) => line.includes('"error"'));
    expect(frame).toBeDefined();
    expect(frame).toContain("[redacted]");
    expect(frame).toContain(model === "quote-openai" ? "request carried Bearer [redacted]" : "bad header value [redacted]");
    expect(text).not.toContain("LEAKY");
  }
  expect(fx.logs.join("\n")).not.toContain("LEAKY");
});

test("an error page echoing the key across the excerpt's cut: not even part of the key reaches the client", async () => {
  const res = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}` },
    body: JSON.stringify({ model: "html-anthropic", messages: [{ role: "user", content: "hi" }], max_tokens: 5 }),
  });
  const text = await res.text();
  expect(res.status).toBe(400);
  expect(text).toContain("xxxx"); // the excerpt is passed on
  expect(text).not.toContain("sk-proj"); // the key's first characters, which a cut key would still carry
  expect(text).not.toContain("LEAKY");
});

test("a stream's error event quoting the key before any content: the 400 carries the vendor's words, not the key", async () => {
  const res = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}` },
    body: JSON.stringify({ model: "early-anthropic", messages: [{ role: "user", content: "hi" }], stream: true, max_tokens: 5 }),
  });
  const text = await res.text();
  expect(res.status).toBe(400);
  expect(JSON.parse(text).error.message).toBe("bad header value [redacted]");
  expect(text).not.toContain("LEAKY");
  const id = res.headers.get("x-request-id");
  await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
  expect(JSON.stringify(fx.origin.events().find((e) => e.requestId === id))).not.toContain("LEAKY");
  expect(fx.logs.join("\n")).not.toContain("LEAKY");
});

test.each(["early-cut-anthropic", "early-cut-gemini", "early-cut-azure"])("a stream's error event with no message, the key across the excerpt's cut (%s): not even part of the key reaches the client", async (model) => {
  const res = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}` },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], stream: true, max_tokens: 5 }),
  });
  const text = await res.text();
  expect(res.status).toBe(400);
  expect(text).toContain("xxxx"); // the excerpt is passed on
  expect(text).not.toContain("sk-proj");
  expect(text).not.toContain("LEAKY");
});

test("a stream that breaks with a non-JSON page quoting the key across the excerpt's cut: the error frame carries not even part of the key", async () => {
  const res = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}` },
    body: JSON.stringify({ model: "mid-cut-gemini", messages: [{ role: "user", content: "hi" }], stream: true, max_tokens: 5 }),
  });
  const text = await res.text();
  expect(res.status).toBe(200);
  expect(text).toContain('"content":"Hel"');
  expect(text).toContain("xxxx"); // the excerpt is passed on
  expect(text).not.toContain("sk-proj");
  expect(text).not.toContain("LEAKY");
});
