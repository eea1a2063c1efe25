/**
 * One conformance suite for every vendor, run through the official `openai` SDK against a real proxy
 * whose deployments point at the vendor's fake. Each vendor has one test file that calls
 * `describeConformance(vendor)`. What it proves, per vendor: chat, stream with usage (streamed usage ==
 * unstreamed usage, and the same cost in the usage event), tools unstreamed and streamed (assembled
 * arguments parse as JSON), tool_choice, structured output, embeddings (or a clear 400), error mapping
 * (vendor 400 → 400 with its message; 5xx/429 → fallback; only 5xx → 502) and unsupported parameters.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { ProviderKind, Snapshot } from "../../shared/snapshot/schema.ts";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import type { RunningProxy } from "../../region-proxy/main.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../../region-proxy/testing/proxy-fixture.ts";
import type { FakeVendor } from "../fakes/fake-server.ts";

export interface ConformanceVendor {
  provider: ProviderKind;
  start(apiKey: string): Promise<FakeVendor>;
  /** The deployment baseUrl for this fake. */
  baseUrl(fake: FakeVendor): string;
  chatModel: string;
  /** null when the vendor offers no embeddings. */
  embeddingModel: string | null;
  /** A parameter this vendor cannot honour, or null when it honours everything OpenAI's API takes. */
  unsupported: { param: string; value: unknown } | null;
  /** OpenAI-format vendors receive unknown fields as sent. */
  passesUnknownFields: boolean;
  /** Its fault models: a 429 with retry-after and a 5xx. */
  rateLimitModel: string;
}

const API_KEY = "vendor-key-under-test";
const PRICE = { input: 3_000_000, output: 15_000_000, cachedInput: 300_000, cacheWrite: 3_750_000, reasoning: 15_000_000 };
const weatherTool = {
  type: "function" as const,
  function: { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};

export function describeConformance(vendor: ConformanceVendor): void {
  let fx: ProxyFixture;
  let fake: FakeVendor;
  let proxy: RunningProxy;
  let client: OpenAI;

  beforeAll(async () => {
    fx = await createProxyFixture();
    fake = await vendor.start(API_KEY);
    const dep = (id: string, model: string) => ({ id, provider: vendor.provider, baseUrl: vendor.baseUrl(fake), model, region: REGION, credentialRef: "env:VENDOR_KEY" });
    await fx.publish(
      fx.snapshot(1, (s: Snapshot) => {
        s.deployments.dep_main = dep("dep_main", vendor.chatModel);
        s.deployments.dep_5xx = dep("dep_5xx", "error-500");
        s.deployments.dep_429 = dep("dep_429", vendor.rateLimitModel);
        s.deployments.dep_400 = dep("dep_400", "error-400");
        s.aliases.main = { name: "main", chain: ["dep_main"] };
        s.aliases.after5xx = { name: "after5xx", chain: ["dep_5xx", "dep_main"] };
        s.aliases.after429 = { name: "after429", chain: ["dep_429", "dep_main"] };
        s.aliases.rejects = { name: "rejects", chain: ["dep_400", "dep_main"] };
        s.aliases.down = { name: "down", chain: ["dep_5xx"] };
        if (vendor.embeddingModel) {
          s.deployments.dep_embed = dep("dep_embed", vendor.embeddingModel);
          s.aliases.embed = { name: "embed", chain: ["dep_embed"] };
          s.pricing[`${vendor.provider}:${vendor.embeddingModel}`] = PRICE;
        } else {
          s.aliases.embed = { name: "embed", chain: ["dep_main"] };
        }
        s.pricing[`${vendor.provider}:${vendor.chatModel}`] = PRICE;
      }),
    );
    // A breaker that never opens: the fault deployments are hit on purpose by several tests.
    proxy = await fx.startProxy({ credentials: { VENDOR_KEY: API_KEY }, breaker: { failureThreshold: 1_000 } });
    client = fx.client(proxy);
  });
  afterAll(async () => {
    await fx.cleanup();
    await fake.stop();
  });

  const eventFor = async (requestId: string | null): Promise<UsageEvent> => {
    await waitFor(() => fx.origin.events().some((e) => e.requestId === requestId), `usage event ${requestId}`);
    return fx.origin.events().find((e) => e.requestId === requestId)!;
  };
  const user = (content: string) => [{ role: "user" as const, content }];

  describe(`${vendor.provider} conformance`, () => {
    test("chat: system + multi-turn, text and usage, gateway headers", async () => {
      const { data, response } = await client.chat.completions
        .create({ model: "main", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "first" }, { role: "assistant", content: "ok" }, { role: "user", content: "hello there" }], max_tokens: 50, temperature: 0.5 })
        .withResponse();
      expect(data.object).toBe("chat.completion");
      expect(data.choices[0]!.message.role).toBe("assistant");
      expect(data.choices[0]!.message.content).toContain("hello there");
      expect(data.choices[0]!.finish_reason).toBe("stop");
      expect(data.usage!.prompt_tokens).toBeGreaterThan(0);
      expect(data.usage!.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);
      expect(response.headers.get("x-gateway-provider")).toBe(vendor.provider);
      expect(response.headers.get("x-gateway-model")).toBe(vendor.chatModel);
      expect(response.headers.get("x-request-id")).toBeTruthy();
    });

    test("stream with usage: same text, same usage and the same cost as unstreamed", async () => {
      const messages = user("count the words in this sentence please");
      const { data, response } = await client.chat.completions.create({ model: "main", messages }).withResponse();
      const streamed = await client.chat.completions.create({ model: "main", messages, stream: true, stream_options: { include_usage: true } }).withResponse();
      let text = "";
      let usage: OpenAI.CompletionUsage | null | undefined = null;
      let chunks = 0;
      for await (const chunk of streamed.data) {
        chunks++;
        text += chunk.choices[0]?.delta.content ?? "";
        if (chunk.usage) usage = chunk.usage;
      }
      expect(chunks).toBeGreaterThan(2);
      expect(text).toBe(data.choices[0]!.message.content!);
      expect(usage).toMatchObject({ prompt_tokens: data.usage!.prompt_tokens, completion_tokens: data.usage!.completion_tokens, total_tokens: data.usage!.total_tokens });
      const [plain, stream] = await Promise.all([eventFor(response.headers.get("x-request-id")), eventFor(streamed.response.headers.get("x-request-id"))]);
      expect(stream.stream).toBe(true);
      expect(stream.usage).toEqual(plain.usage);
      expect(plain.costMicros).toBeGreaterThan(0);
      expect(stream.costMicros).toBe(plain.costMicros);
    });

    test("stream without include_usage: no usage chunk reaches the client, the event is still priced", async () => {
      const streamed = await client.chat.completions.create({ model: "main", messages: user("no usage please"), stream: true }).withResponse();
      let sawUsage = false;
      for await (const chunk of streamed.data) if (chunk.usage) sawUsage = true;
      expect(sawUsage).toBe(false);
      const event = await eventFor(streamed.response.headers.get("x-request-id"));
      expect(event.usage.inputTokens).toBeGreaterThan(0);
      expect(event.costMicros).toBeGreaterThan(0);
    });

    test("tools, unstreamed: a tool call with JSON arguments, then the tool result round trip", async () => {
      const messages: OpenAI.ChatCompletionMessageParam[] = user("call tool for Paris");
      const first = await client.chat.completions.create({ model: "main", messages, tools: [weatherTool] });
      const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(first.choices[0]!.finish_reason).toBe("tool_calls");
      expect(call.function.name).toBe("get_weather");
      expect(typeof JSON.parse(call.function.arguments)).toBe("object");
      const second = await client.chat.completions.create({
        model: "main",
        tools: [weatherTool],
        messages: [...messages, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: call.id, content: '{"temp": 21}' }],
      });
      expect(second.choices[0]!.message.content).toBeTruthy();
      // OpenAI's function-calling guide sends the second call without tools; it is answered in text.
      const withoutTools = await client.chat.completions.create({
        model: "main",
        messages: [...messages, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: call.id, content: '{"temp": 21}' }],
      });
      expect(withoutTools.choices[0]!.message.content).toBeTruthy();
      expect(withoutTools.choices[0]!.message.tool_calls ?? []).toEqual([]);
    });

    test("tools, streamed: argument deltas assemble to JSON", async () => {
      const stream = await client.chat.completions.create({ model: "main", messages: user("call tool for Rome"), tools: [weatherTool], stream: true });
      const calls = new Map<number, { id?: string; name?: string; args: string }>();
      let finish: string | null = null;
      for await (const chunk of stream) {
        for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
          const entry = calls.get(delta.index) ?? { args: "" };
          entry.id ??= delta.id;
          entry.name ??= delta.function?.name;
          entry.args += delta.function?.arguments ?? "";
          calls.set(delta.index, entry);
        }
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      const call = calls.get(0)!;
      expect(call.id).toBeTruthy();
      expect(call.name).toBe("get_weather");
      expect(JSON.parse(call.args)).toMatchObject({ echo: expect.stringContaining("Rome") });
      expect(finish).toBe("tool_calls");
    });

    test("tool_choice: a named function is forced, 'none' forbids calls", async () => {
      const forced = await client.chat.completions.create({ model: "main", messages: user("just chatting"), tools: [weatherTool], tool_choice: { type: "function", function: { name: "get_weather" } } });
      expect((forced.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall).function.name).toBe("get_weather");
      const none = await client.chat.completions.create({ model: "main", messages: user("call tool but not really"), tools: [weatherTool], tool_choice: "none" });
      expect(none.choices[0]!.message.tool_calls ?? []).toEqual([]);
      expect(none.choices[0]!.message.content).toBeTruthy();
    });

    test("tools: [], and a tool_choice or parallel_tool_calls that forces nothing without tools, answer as a request without them", async () => {
      const messages = user("no tools here");
      const plain = await client.chat.completions.create({ model: "main", messages });
      const shapes: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>[] = [
        { tools: [] },
        { tool_choice: "auto" },
        { tool_choice: "none" },
        { tools: [], tool_choice: "auto" },
        { tools: [], tool_choice: "none" },
        { parallel_tool_calls: true },
        { tools: [], tool_choice: "auto", parallel_tool_calls: true },
      ];
      const answers: Record<string, unknown> = {};
      const expected: Record<string, unknown> = {};
      for (const shape of shapes) {
        const key = JSON.stringify(shape);
        const r = await client.chat.completions.create({ model: "main", messages, ...shape }).catch((e: Error) => e);
        answers[key] = r instanceof Error ? r.message : { text: r.choices[0]!.message.content, prompt: r.usage!.prompt_tokens };
        expected[key] = { text: plain.choices[0]!.message.content, prompt: plain.usage!.prompt_tokens };
      }
      expect(answers).toEqual(expected);
      const streamed = await client.chat.completions.create({ model: "main", messages, tools: [], tool_choice: "auto", parallel_tool_calls: true, stream: true });
      let text = "";
      for await (const chunk of streamed) text += chunk.choices[0]?.delta.content ?? "";
      expect(text).toBe(plain.choices[0]!.message.content!);
      // A choice that forces a call still needs a tool to call.
      const forced = await client.chat.completions.create({ model: "main", messages, tools: [], tool_choice: "required" }).catch((e) => e);
      expect(forced).toBeInstanceOf(OpenAI.BadRequestError);
      expect(forced.param).toBe("tool_choice");
    });

    test("structured output: json_schema and json_object answer JSON", async () => {
      const schema = await client.chat.completions.create({
        model: "main",
        messages: user("give me json"),
        response_format: { type: "json_schema", json_schema: { name: "echo", schema: { type: "object", properties: { echo: { type: "string" } }, required: ["echo"] } } },
      });
      expect(typeof JSON.parse(schema.choices[0]!.message.content!)).toBe("object");
      const object = await client.chat.completions.create({ model: "main", messages: user("give me a json object"), response_format: { type: "json_object" } });
      expect(typeof JSON.parse(object.choices[0]!.message.content!)).toBe("object");
    });

    test(vendor.embeddingModel ? "embeddings: floats and the SDK's default base64, usage event endpoint embeddings" : "embeddings: a clear 400 naming model", async () => {
      if (!vendor.embeddingModel) {
        const error = await client.embeddings.create({ model: "embed", input: "hello" }).catch((e) => e);
        expect(error).toBeInstanceOf(OpenAI.BadRequestError);
        expect(error.param).toBe("model");
        expect(error.message).toContain("this alias has no deployment that offers embeddings");
        return;
      }
      const { data, response } = await client.embeddings.create({ model: "embed", input: ["one", "two words"] }).withResponse();
      expect(data.data.length).toBe(2);
      expect(data.data[1]!.index).toBe(1);
      expect(data.data[0]!.embedding.every((v) => typeof v === "number" && Number.isFinite(v))).toBe(true);
      expect(data.usage.prompt_tokens).toBeGreaterThan(0);
      const floats = await client.embeddings.create({ model: "embed", input: "one", encoding_format: "float" });
      expect(floats.data[0]!.embedding.length).toBe(data.data[0]!.embedding.length);
      floats.data[0]!.embedding.forEach((v, i) => expect(v).toBeCloseTo(data.data[0]!.embedding[i]!, 5));
      const event = await eventFor(response.headers.get("x-request-id"));
      expect(event).toMatchObject({ endpoint: "embeddings", status: "ok", provider: vendor.provider, stream: false });
      expect(event.usage.inputTokens).toBe(data.usage.prompt_tokens);
    });

    test("a vendor 400 is a 400 with the vendor's message, no fallback", async () => {
      const before = fake.calls();
      const error = await client.chat.completions.create({ model: "rejects", messages: user("hi") }).catch((e) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.message.length).toBeGreaterThan(10);
      expect(error.headers.get("x-gateway-attempts")).toBe("1");
      expect(fake.calls()).toBe(before + 1);
    });

    test("5xx and 429 fall back to the next deployment; the usage event records the trail", async () => {
      const after5xx = await client.chat.completions.create({ model: "after5xx", messages: user("hi") }).withResponse();
      expect(after5xx.response.headers.get("x-gateway-fallback")).toBe("true");
      expect(after5xx.data.choices[0]!.message.content).toContain("hi");
      const event = await eventFor(after5xx.response.headers.get("x-request-id"));
      expect(event.fallback).toBe(true);
      expect(event.attemptTrail!.at(-1)).toMatchObject({ deploymentId: "dep_main", outcome: "ok" });
      expect(event.attemptTrail![0]).toMatchObject({ deploymentId: "dep_5xx", outcome: "error", reason: "status_500" });
      const after429 = await client.chat.completions.create({ model: "after429", messages: user("hi"), stream: true }).withResponse();
      let text = "";
      for await (const chunk of after429.data) text += chunk.choices[0]?.delta.content ?? "";
      expect(text).toContain("hi");
      expect(after429.response.headers.get("x-gateway-fallback")).toBe("true");
    });

    test("only 5xx deployments → 502 upstream_error after a retry", async () => {
      const error = await client.chat.completions.create({ model: "down", messages: user("hi") }).catch((e) => e);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect(error.status).toBe(502);
      expect(error.code).toBe("upstream_error");
      expect(error.headers.get("x-gateway-attempts")).toBe("2");
    });

    test(vendor.unsupported ? `unsupported parameter ${vendor.unsupported.param} → 400 naming it, no vendor call` : "unknown fields pass through, out-of-range values are refused", async () => {
      const before = fake.calls();
      if (vendor.unsupported) {
        const body = { model: "main", messages: user("hi"), [vendor.unsupported.param]: vendor.unsupported.value } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
        const error = await client.chat.completions.create(body).catch((e) => e);
        expect(error).toBeInstanceOf(OpenAI.BadRequestError);
        expect(error.param).toBe(vendor.unsupported.param);
        expect(fake.calls()).toBe(before);
      }
      if (vendor.passesUnknownFields) {
        await client.chat.completions.create({ model: "main", messages: user("hi"), metadata: { team: "x" }, x_custom: 1 } as OpenAI.ChatCompletionCreateParamsNonStreaming);
        expect((fake.lastRequest()!.body as Record<string, unknown>).x_custom).toBe(1);
      }
      const error = await client.chat.completions.create({ model: "main", messages: user("hi"), temperature: 7 }).catch((e) => e);
      expect(error.status).toBe(400);
      expect(error.param).toBe("temperature");
    });
  });
}
