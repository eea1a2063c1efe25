/**
 * An embeddings answer whose vectors agree with one another but not with the `dimensions` the caller
 * asked for: the deployment's model or server ignored `dimensions` (an OpenAI-compatible server such as
 * vLLM, Ollama or a proxy, a Gemini model that ignores outputDimensionality). That is this deployment's
 * answer to the request's parameter, not a sick deployment: the breaker hears that it answered (one
 * caller's `dimensions` must not open its circuit for every tenant's chat) and the request is charged
 * the call the vendor billed. It is no answer to the request either, and the next deployment of the
 * alias may honour the size (an alias can chain such a server with OpenAI's or Azure's
 * text-embedding-3-small): the walk moves on, and the caller gets OpenAI's 400 naming `dimensions` only
 * when no deployment gave the size. Vectors that disagree with one another stay the deployment breaking
 * its protocol (502 upstream_invalid_response).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

const MODEL = "embed-and-chat";
const REPORTED = { prompt_tokens: 5, total_tokens: 5 };
/** Calls per deployment, by the first segment of its base URL's path: only `honours` gives the `dimensions` asked. */
const callsTo = new Map<string, number>();

const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  async fetch(request) {
    const url = new URL(request.url);
    const deployment = url.pathname.split("/")[1]!;
    callsTo.set(deployment, (callsTo.get(deployment) ?? 0) + 1);
    const body = (await request.json()) as { model: string; input: string | string[]; dimensions?: number; messages?: { content: string }[] };
    if (url.pathname.endsWith("/chat/completions")) {
      const content = `Echo: ${body.messages!.at(-1)!.content}`;
      return Response.json({ id: "x", object: "chat.completion", created: 1, model: body.model, choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
    }
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    // "mixed" in the input: vectors of two lengths, whatever was asked.
    const size = (i: number) => (deployment === "honours" && body.dimensions !== undefined ? body.dimensions : inputs.includes("mixed") && i === 1 ? 3 : 2);
    const data = inputs.map((_, i) => ({ object: "embedding", index: i, embedding: Array.from({ length: size(i) }, (_, d) => (d === 0 ? 1 : 0)) }));
    return Response.json({ object: "list", data, model: body.model, usage: REPORTED });
  },
});

let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      const deployment = (id: string, path: string) => ({ id, provider: "openai" as const, baseUrl: `http://127.0.0.1:${vendor.port}/${path}/v1`, model: MODEL, region: REGION, credentialRef: "env:ECHO_KEY" });
      s.deployments.dep_ignores = deployment("dep_ignores", "ignores");
      s.deployments.dep_ignores_too = deployment("dep_ignores_too", "ignores-too");
      s.deployments.dep_honours = deployment("dep_honours", "honours");
      s.aliases.both = { name: "both", chain: ["dep_ignores", "dep_honours"] };
      s.aliases.ignorers = { name: "ignorers", chain: ["dep_ignores", "dep_ignores_too"] };
      s.aliases.one = { name: "one", chain: ["dep_ignores"] };
      s.aliases.one_too = { name: "one_too", chain: ["dep_ignores_too"] };
      s.pricing[`openai:${MODEL}`] = PRICE;
    }),
  );
  // One failure opens a circuit: a strike for the `dimensions` answer would show at once.
  proxy = await fx.startProxy({ breaker: { failureThreshold: 1, coolDownMs: 60_000 } });
});
afterAll(async () => {
  await fx?.cleanup();
  vendor.stop(true);
});

const eventOf = async (requestId: string) => {
  await waitFor(() => fx.origin.events().some((e) => e.requestId === requestId), "usage event");
  return fx.origin.events().find((e) => e.requestId === requestId)!;
};

const calls = () => ({ ignores: callsTo.get("ignores") ?? 0, ignoresToo: callsTo.get("ignores-too") ?? 0, honours: callsTo.get("honours") ?? 0 });
const since = (before: ReturnType<typeof calls>) => {
  const now = calls();
  return { ignores: now.ignores - before.ignores, ignoresToo: now.ignoresToo - before.ignoresToo, honours: now.honours - before.honours };
};
const DIMENSIONS_IGNORED = "unsupported_parameter:dimensions";

/** The circuits stayed closed: every tenant's chat on the deployments that ignored `dimensions` is answered by them. */
async function chatStillAnswered(client: OpenAI) {
  for (const model of ["one", "one_too"]) {
    const chat = await client.chat.completions.create({ model, messages: [{ role: "user", content: "still up?" }] }).withResponse();
    expect(chat.data.choices[0]!.message.content).toBe("Echo: still up?");
    expect(chat.response.headers.get("x-gateway-fallback")).toBe("false");
  }
  // And so is an embeddings request asking nothing it cannot give.
  expect((await client.embeddings.create({ model: "one", input: "a", encoding_format: "float" })).data[0]!.embedding).toEqual([1, 0]);
}

test("vectors not of the dimensions asked: the next deployment, which honours them, answers; both calls charged, and chat on the first still answers", async () => {
  const client = fx.client(proxy);
  const before = calls();
  for (let i = 0; i < 3; i++) {
    const requestId = `req-dimensions-fallback-${i}`;
    const { data, response } = await client.embeddings.create({ model: "both", input: ["a", "b"], dimensions: 4000, encoding_format: "float" }, { headers: { "x-request-id": requestId } }).withResponse();
    expect(data.data.map((d) => d.embedding.length)).toEqual([4000, 4000]);
    expect(response.headers.get("x-gateway-attempts")).toBe("2");
    expect(response.headers.get("x-gateway-fallback")).toBe("true");
    // The vendor billed both calls: the request is charged the usage each reported.
    const event = await eventOf(requestId);
    expect(event).toMatchObject({ status: "ok", endpoint: "embeddings", deploymentId: "dep_honours", attempts: 2, fallback: true });
    expect(event.usage).toMatchObject({ inputTokens: 2 * REPORTED.prompt_tokens, outputTokens: 0 });
    expect(event.costMicros).toBe(2 * REPORTED.prompt_tokens * 1);
    expect(event.attemptTrail!.map((step) => [step.deploymentId, step.outcome, step.reason])).toEqual([
      ["dep_ignores", "error", DIMENSIONS_IGNORED],
      ["dep_honours", "ok", null],
    ]);
  }
  // Each deployment called once per request: no retry of the one that ignored the size.
  expect(since(before)).toEqual({ ignores: 3, ignoresToo: 0, honours: 3 });
  await chatStillAnswered(client);
});

test("no deployment gives the dimensions asked: a 400 naming dimensions once each was tried, every call charged, the breaker closed", async () => {
  const client = fx.client(proxy);
  for (const [alias, attempts] of [["ignorers", 2], ["one", 1]] as const) {
    const before = calls();
    for (let i = 0; i < 3; i++) {
      const requestId = `req-dimensions-${alias}-${i}`;
      const error = await client.embeddings.create({ model: alias, input: ["a", "b"], dimensions: 4000 }, { headers: { "x-request-id": requestId } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      const { status, code, param, type, headers } = error as InstanceType<typeof OpenAI.BadRequestError>;
      expect({ status, code, param, type }).toEqual({ status: 400, code: "invalid_value", param: "dimensions", type: "invalid_request_error" });
      expect((error as Error).message).toMatch(/4000 dimensions/);
      expect(headers?.get("x-gateway-attempts")).toBe(String(attempts));
      const event = await eventOf(requestId);
      expect(event).toMatchObject({ status: "error", endpoint: "embeddings", errorCode: "invalid_value", attempts });
      expect(event.usage).toMatchObject({ inputTokens: attempts * REPORTED.prompt_tokens, outputTokens: 0 });
      expect(event.costMicros).toBe(attempts * REPORTED.prompt_tokens * 1);
      expect(event.attemptTrail!.map((step) => [step.outcome, step.reason])).toEqual(Array.from({ length: attempts }, () => ["error", DIMENSIONS_IGNORED]));
    }
    expect(since(before)).toEqual(alias === "one" ? { ignores: 3, ignoresToo: 0, honours: 0 } : { ignores: 3, ignoresToo: 3, honours: 0 });
  }
  await chatStillAnswered(client);
});

test("vectors of several lengths are still the deployment breaking its protocol, with or without dimensions", async () => {
  for (const dimensions of [2, undefined]) {
    const response = await fetch(`${proxy.url}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "both", input: ["a", "mixed"], encoding_format: "float", ...(dimensions ? { dimensions } : {}) }),
    });
    // The fallback (honours) answers what was asked when dimensions is given; without, it mixes too.
    if (dimensions) {
      expect(response.status).toBe(200);
      expect(response.headers.get("x-gateway-fallback")).toBe("true");
    } else {
      expect(response.status).toBe(502);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("upstream_invalid_response");
    }
  }
});
