/**
 * An embeddings answer whose vectors agree with one another but not with the `dimensions` the caller
 * asked for: the vendor's model could not give that size (a model or compatible server that ignores
 * `dimensions` or outputDimensionality, as the echo vendor did above 3072 before it answered 400). That is the answer to this
 * request's parameter, not a sick deployment: the caller gets OpenAI's 400 naming `dimensions` (as a
 * vendor that refuses the value in words, Gemini's output_dimensionality 400, does), the breaker hears
 * that the deployment answered (one caller's `dimensions` must not open its circuit for every tenant's
 * chat), no other deployment of the same model is tried (it would answer the same, and bill again), and
 * the request is charged the call the vendor billed. Vectors that disagree with one another stay the
 * deployment breaking its protocol (502 upstream_invalid_response).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

const MODEL = "embed-and-chat";
const REPORTED = { prompt_tokens: 5, total_tokens: 5 };
/** Calls per host: 127.0.0.1 serves the deployment that ignores `dimensions`, localhost one that honours it. */
const callsTo = new Map<string, number>();

const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  async fetch(request) {
    const url = new URL(request.url);
    callsTo.set(url.hostname, (callsTo.get(url.hostname) ?? 0) + 1);
    const body = (await request.json()) as { model: string; input: string | string[]; dimensions?: number; messages?: { content: string }[] };
    if (url.pathname.endsWith("/chat/completions")) {
      const content = `Echo: ${body.messages!.at(-1)!.content}`;
      return Response.json({ id: "x", object: "chat.completion", created: 1, model: body.model, choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
    }
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    // "mixed" in the input: vectors of two lengths, whatever was asked.
    const size = (i: number) => (url.hostname === "localhost" && body.dimensions !== undefined ? body.dimensions : inputs.includes("mixed") && i === 1 ? 3 : 2);
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
      const deployment = (id: string, host: string) => ({ id, provider: "openai" as const, baseUrl: `http://${host}:${vendor.port}/v1`, model: MODEL, region: REGION, credentialRef: "env:ECHO_KEY" });
      s.deployments.dep_ignores = deployment("dep_ignores", "127.0.0.1");
      s.deployments.dep_honours = deployment("dep_honours", "localhost");
      s.aliases.both = { name: "both", chain: ["dep_ignores", "dep_honours"] };
      s.aliases.one = { name: "one", chain: ["dep_ignores"] };
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

test("vectors not of the dimensions asked: a 400 naming dimensions, charged, no fallback, and chat on the deployment still answers", async () => {
  const client = fx.client(proxy);
  const before = { ignores: callsTo.get("127.0.0.1") ?? 0, honours: callsTo.get("localhost") ?? 0 };
  for (let i = 0; i < 3; i++) {
    const requestId = `req-dimensions-${i}`;
    const error = await client.embeddings.create({ model: "both", input: ["a", "b"], dimensions: 4000 }, { headers: { "x-request-id": requestId } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const { status, code, param, type, headers } = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect({ status, code, param, type }).toEqual({ status: 400, code: "invalid_value", param: "dimensions", type: "invalid_request_error" });
    expect((error as Error).message).toMatch(/4000 dimensions/);
    expect(headers?.get("x-gateway-attempts")).toBe("1");
    expect(headers?.get("x-gateway-fallback")).toBe("false");
    // The vendor billed the call: the request is charged the usage it reported.
    const event = await eventOf(requestId);
    expect(event).toMatchObject({ status: "error", endpoint: "embeddings", errorCode: "invalid_value", attempts: 1, fallback: false });
    expect(event.usage).toMatchObject({ inputTokens: REPORTED.prompt_tokens, outputTokens: 0 });
    expect(event.costMicros).toBe(REPORTED.prompt_tokens * 1);
  }
  // Not tried on the other deployment of the model, nor again on this one.
  expect({ ignores: callsTo.get("127.0.0.1")! - before.ignores, honours: (callsTo.get("localhost") ?? 0) - before.honours }).toEqual({ ignores: 3, honours: 0 });
  // The circuit stayed closed: every tenant's chat on the deployment is answered by it.
  const chat = await client.chat.completions.create({ model: "one", messages: [{ role: "user", content: "still up?" }] }).withResponse();
  expect(chat.data.choices[0]!.message.content).toBe("Echo: still up?");
  expect(chat.response.headers.get("x-gateway-fallback")).toBe("false");
  // And so is an embeddings request asking nothing it cannot give.
  expect((await client.embeddings.create({ model: "one", input: "a", encoding_format: "float" })).data[0]!.embedding).toEqual([1, 0]);
});

test("vectors of several lengths are still the deployment breaking its protocol, with or without dimensions", async () => {
  for (const dimensions of [2, undefined]) {
    const response = await fetch(`${proxy.url}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "both", input: ["a", "mixed"], encoding_format: "float", ...(dimensions ? { dimensions } : {}) }),
    });
    // The fallback (localhost) answers what was asked when dimensions is given; without, it mixes too.
    if (dimensions) {
      expect(response.status).toBe(200);
      expect(response.headers.get("x-gateway-fallback")).toBe("true");
    } else {
      expect(response.status).toBe(502);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("upstream_invalid_response");
    }
  }
});
