/**
 * A deployment whose vendor cannot take the request as asked (a parameter Anthropic has no equivalent
 * for, one of its media limits) refuses it before any call: wherever it stands in the chain, even
 * first, the walk moves on to the next deployment, which may take it, without a vendor call, an
 * attempt or a breaker verdict. Only when no deployment takes the request is the caller told the
 * first refusal (a 400 naming the parameter). A caller error a vendor answered still ends the walk.
 */
import { describe, expect, test } from "bun:test";
import { ONE_PIXEL_PNG } from "./testing/one-pixel-png.ts";
import { fakeDeployment, useVendorProxy } from "./testing/use-vendor-proxy.ts";

const FAILURE_THRESHOLD = 2;

const t = useVendorProxy({
  fakes: ["anthropic", "gemini"],
  configure(s) {
    s.deployments.dep_claude = fakeDeployment("dep_claude", "anthropic", t.anthropic.url, "claude-fake");
    s.deployments.dep_sonnet45 = fakeDeployment("dep_sonnet45", "anthropic", t.anthropic.url, "claude-sonnet-4-5");
    s.deployments.dep_gemini = fakeDeployment("dep_gemini", "gemini", t.gemini.url, "gemini-fake");
    s.aliases.claude_then_openai = { name: "claude_then_openai", chain: ["dep_claude", "dep_echo1"] };
    s.aliases.sonnet45_then_openai = { name: "sonnet45_then_openai", chain: ["dep_sonnet45", "dep_echo1"] };
    s.aliases.claude_then_gemini = { name: "claude_then_gemini", chain: ["dep_claude", "dep_gemini"] };
    s.aliases.claude_then_strict = { name: "claude_then_strict", chain: ["dep_claude", "dep_error400", "dep_echo1"] };
  },
  // Stated, not the default: the last test skips past it.
  proxy: { breaker: { failureThreshold: FAILURE_THRESHOLD } },
});

const messages = [{ role: "user" as const, content: "hello" }];
/** A 1x1 PNG, as a data URL. */
const PIXEL = `data:image/png;base64,${ONE_PIXEL_PNG}`;

describe("a refusal that depends on the deployment's vendor", () => {
  test("on the chain's first deployment, the next deployment (OpenAI) answers: no Anthropic call, one attempt", async () => {
    const before = t.anthropic.calls();
    const { data, response } = await t.fx.client(t.proxy).chat.completions.create({ model: "claude_then_openai", messages, seed: 5 }).withResponse();
    expect(data.choices[0]!.message.content).toBe("Echo: hello");
    expect(response.headers.get("x-gateway-provider")).toBe("openai");
    expect(response.headers.get("x-gateway-fallback")).toBe("true");
    expect(response.headers.get("x-gateway-attempts")).toBe("1");
    expect(t.anthropic.calls()).toBe(before);
    const event = await t.usageEvent(response.headers.get("x-request-id"));
    expect(event).toMatchObject({ attempts: 1, fallback: true });
    expect(event.attemptTrail!.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["dep_claude:skipped:unsupported_parameter:seed", "dep_echo1:ok:null"]);
  });

  test("one of Anthropic's media limits (over 100 images to a 200k-window Claude) moves on too", async () => {
    const images = Array.from({ length: 101 }, () => ({ type: "image_url" as const, image_url: { url: PIXEL } }));
    const { response } = await t.fx
      .client(t.proxy)
      .chat.completions.create({ model: "sonnet45_then_openai", messages: [{ role: "user", content: [{ type: "text", text: "hello" }, ...images] }] })
      .withResponse();
    expect(response.headers.get("x-gateway-provider")).toBe("openai");
    const event = await t.usageEvent(response.headers.get("x-request-id"));
    expect(event.attemptTrail!.map((s) => `${s.deploymentId}:${s.outcome}`)).toEqual(["dep_sonnet45:skipped", "dep_echo1:ok"]);
  });

  test("when no deployment takes it, the first refusal is the answer: a 400 naming it, no vendor called", async () => {
    const [anthropic, gemini] = [t.anthropic.calls(), t.gemini.calls()];
    const error = await t.fx.client(t.proxy).chat.completions.create({ model: "claude_then_gemini", messages, logprobs: true }).catch((e) => e);
    expect(error.status).toBe(400);
    expect(error.param).toBe("logprobs");
    expect(error.headers.get("x-gateway-attempts")).toBe("0");
    expect([t.anthropic.calls(), t.gemini.calls()]).toEqual([anthropic, gemini]);
    const event = await t.usageEvent(error.headers.get("x-request-id"));
    expect(event.attemptTrail!.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["dep_claude:skipped:unsupported_parameter:logprobs", "dep_gemini:skipped:unsupported_parameter:logprobs"]);
  });

  test("a vendor's caller error after the skip still ends the walk: no fallback past it", async () => {
    const error = await t.fx.client(t.proxy).chat.completions.create({ model: "claude_then_strict", messages, seed: 5 }).catch((e) => e);
    expect(error.status).toBe(400);
    const event = await t.usageEvent(error.headers.get("x-request-id"));
    expect(event.attemptTrail!.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["dep_claude:skipped:unsupported_parameter:seed", "dep_error400:error:status_400"]);
  });

  test("a skip is no breaker verdict: after more skips than the failure threshold, the deployment is still called", async () => {
    const client = t.fx.client(t.proxy);
    for (let i = 0; i <= FAILURE_THRESHOLD; i++) {
      const { response } = await client.chat.completions.create({ model: "claude_then_openai", messages, seed: 5 }).withResponse();
      expect(response.headers.get("x-gateway-provider")).toBe("openai");
    }
    const before = t.anthropic.calls();
    const { response } = await client.chat.completions.create({ model: "claude_then_openai", messages }).withResponse();
    expect(response.headers.get("x-gateway-provider")).toBe("anthropic");
    expect(t.anthropic.calls()).toBe(before + 1);
    const event = await t.usageEvent(response.headers.get("x-request-id"));
    expect(event.attemptTrail!.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["dep_claude:ok:null"]);
  });
});
