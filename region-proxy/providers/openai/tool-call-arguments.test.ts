/**
 * An unstreamed OpenAI or Azure answer whose tool call the client's SDK cannot take (arguments that
 * are not a string, an id that is not one, a type other than "function") is the vendor's protocol
 * error, as the same call in a stream is: the next deployment answers, or the client gets a 502
 * upstream_invalid_response and the usage event records the error, charged the usage the vendor reported
 * in each such answer (it billed every call, the retry's too). It never reaches the client.
 */
import { afterAll, expect, test } from "bun:test";
import { PRICE } from "../../testing/proxy-fixture.ts";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";

const goodCall = { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } };
/** The tool call each vendor model answers with. */
const CALLS: Record<string, unknown> = {
  "good-call": goodCall,
  "numeric-arguments": { ...goodCall, function: { name: "get_weather", arguments: 5 } },
  "object-arguments": { ...goodCall, function: { name: "get_weather", arguments: { city: "Paris" } } },
  "null-arguments": { ...goodCall, function: { name: "get_weather", arguments: null } },
  "numeric-id": { ...goodCall, id: 5 },
  "wrong-type-call": { ...goodCall, type: "tool" },
  "untyped-call": { id: "call_1", function: goodCall.function },
};
const calls = new Map<string, number>();

const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  async fetch(request) {
    // OpenAI names the model in the body, Azure in the path.
    const azure = /\/deployments\/([^/]+)\/chat\/completions/.exec(new URL(request.url).pathname);
    const model = azure ? decodeURIComponent(azure[1]!) : ((await request.json()) as { model: string }).model;
    calls.set(model, (calls.get(model) ?? 0) + 1);
    return Response.json({
      id: "chatcmpl-v",
      object: "chat.completion",
      created: 1,
      model,
      choices: [{ index: 0, message: { role: "assistant", content: null, tool_calls: [CALLS[model]] }, finish_reason: "tool_calls" }],
      usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
    });
  },
});

const t = useVendorProxy({
  configure(s) {
    for (const model of Object.keys(CALLS)) {
      for (const provider of ["openai", "azure"] as const) {
        const id = `dep_${provider}_${model}`;
        s.deployments[id] = fakeDeployment(id, provider, `http://127.0.0.1:${vendor.port}${provider === "openai" ? "/v1" : ""}`, model);
        s.aliases[`${provider}-${model}`] = { name: `${provider}-${model}`, chain: [id] };
        s.pricing[`${provider}:${model}`] = PRICE;
      }
    }
    s.aliases["object-arguments-then-echo"] = { name: "object-arguments-then-echo", chain: ["dep_openai_object-arguments", "dep_echo1"] };
  },
});
afterAll(() => vendor.stop(true));

const messages = [{ role: "user" as const, content: "weather in Paris?" }];
const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];

test("a tool call the SDK can take passes through", async () => {
  for (const provider of ["openai", "azure"]) {
    const answer = await t.fx.client(t.proxy).chat.completions.create({ model: `${provider}-good-call`, messages, tools });
    expect(answer.choices[0]!.message.tool_calls).toEqual([goodCall as never]);
  }
});

test("a function call sent without its type (Mistral's API, older vLLM and Ollama) reaches the client typed function", async () => {
  for (const provider of ["openai", "azure"]) {
    const answer = await t.fx.client(t.proxy).chat.completions.create({ model: `${provider}-untyped-call`, messages, tools });
    expect(answer.choices[0]!.message.tool_calls).toEqual([goodCall as never]);
  }
});

for (const model of ["numeric-arguments", "object-arguments", "null-arguments", "numeric-id", "wrong-type-call"]) {
  for (const provider of ["openai", "azure"]) {
    test(`${provider} ${model}: a 502 upstream_invalid_response, the usage event an error charged the vendor's reported usage, the tool call never shown`, async () => {
      const before = calls.get(model) ?? 0;
      const error = await t.fx.client(t.proxy, undefined, { maxRetries: 0 }).chat.completions.create({ model: `${provider}-${model}`, messages, tools }).catch((e) => e);
      expect(error.status).toBe(502);
      expect(error.code).toBe("upstream_invalid_response");
      expect(JSON.stringify(error.error)).not.toContain("Paris");
      const event = await t.usageEvent(error.requestID ?? error.headers?.get("x-request-id"));
      expect(event.status).toBe("error");
      expect(event.errorCode).toBe("upstream_invalid_response");
      expect(event.attemptTrail!.every((step) => step.reason === "invalid_response")).toBe(true);
      // The vendor answered 200 to every call and billed each: the request is charged the usage each body reported.
      const billedCalls = event.attemptTrail!.length;
      expect(billedCalls).toBeGreaterThan(0);
      expect(event.usage).toMatchObject({ inputTokens: 5 * billedCalls, outputTokens: 3 * billedCalls });
      expect(event.costMicros).toBe((5 + 3 * 2) * billedCalls);
      expect((calls.get(model) ?? 0) - before).toBe(billedCalls);
    });
  }
}

test("before the client gets anything, the next deployment answers in its place", async () => {
  const { data, response } = await t.fx.client(t.proxy).chat.completions.create({ model: "object-arguments-then-echo", messages, tools }).withResponse();
  expect(response.headers.get("x-gateway-fallback")).toBe("true");
  expect(JSON.stringify(data.choices[0]!.message)).not.toContain('"arguments":{');
  const event = await t.usageEvent(response.headers.get("x-request-id"));
  expect(event.status).toBe("ok");
  expect(event.attemptTrail![0]).toMatchObject({ deploymentId: "dep_openai_object-arguments", outcome: "error", reason: "invalid_response" });
  expect(event.attemptTrail!.at(-1)!.deploymentId).toBe("dep_echo1");
});
