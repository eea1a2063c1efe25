/**
 * A vendor that answers exact bytes, behind a real proxy, read through the official SDK: for the tests
 * of how the gateway takes a vendor answer no fake sends (an empty stream, a field left out). Each
 * alias is one deployment of the scripted vendor serving the model it names; the vendor answers a
 * model's `json` unstreamed and its `sse` streamed, whatever the request. With `fallbackToEcho` each
 * alias falls back to the fixture's echo deployment.
 *
 * @example const v = await startScriptedVendor({ "az-filtered": { provider: "azure", json: filtered } });
 *          const { answer, event } = await v.chat("az-filtered");
 */
import type OpenAI from "openai";
import type { Price } from "../../shared/money/cost.ts";
import type { ProviderKind } from "../../shared/snapshot/schema.ts";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { createProxyFixture, REGION, waitFor } from "./proxy-fixture.ts";

export interface VendorScript {
  provider: ProviderKind;
  /** The unstreamed answer's body. */
  json?: unknown;
  /**
   * The streamed answer's body, byte for byte; as a list, written one part at a time, SSE_PAUSE_MS apart
   * (the proxy has sent what the first parts made before a later part comes: a stream past its first byte).
   */
  sse?: string | string[];
  status?: number;
  /** The model's price in the snapshot; absent = SCRIPTED_PRICE. */
  price?: Price;
}

/** Every scripted model's price, in micro-USD per million tokens: 1 per input token, 2 per output token. */
export const SCRIPTED_PRICE = { input: 1_000_000, output: 2_000_000, cachedInput: 100_000, cacheWrite: 1_250_000, reasoning: 3_000_000 };

/** The pause between the parts of a script's `sse` given as a list. */
export const SSE_PAUSE_MS = 300;

/** OpenAI's stream of these chunks, ended by `data: [DONE]`. */
export const sseOpenAI = (...chunks: unknown[]) => chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("") + "data: [DONE]\n\n";
/** Anthropic's stream of these events, each named by its type. */
export const sseAnthropic = (...events: { type: string }[]) => events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join("");
/** Gemini's stream of these events (CRLF-separated, as Gemini sends them). */
export const sseGemini = (...events: unknown[]) => events.map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`).join("");

export async function startScriptedVendor(scripts: Record<string, VendorScript>, fallbackToEcho = false) {
  const calls = new Map<string, number>();
  const vendor = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    async fetch(req) {
      const { model, stream } = modelAsked(new URL(req.url).pathname, await req.text());
      calls.set(model, (calls.get(model) ?? 0) + 1);
      const script = scripts[model];
      if (!script) return Response.json({ error: { message: `no script for ${model}` } }, { status: 404 });
      if (stream) return new Response(paced(script.sse ?? ""), { status: script.status ?? 200, headers: { "content-type": "text/event-stream" } });
      return Response.json(script.json, { status: script.status ?? 200 });
    },
  });
  const fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const [model, { provider, price }] of Object.entries(scripts)) {
        const id = `dep_${model}`;
        const baseUrl = `http://127.0.0.1:${vendor.port}${provider === "openai" ? "/v1" : ""}`;
        s.deployments[id] = { id, provider, baseUrl, model, region: REGION, credentialRef: "env:ECHO_KEY" };
        s.aliases[model] = { name: model, chain: fallbackToEcho ? [id, "dep_echo1"] : [id] };
        s.pricing[`${provider}:${model}`] = price ?? SCRIPTED_PRICE;
      }
    }),
  );
  // A breaker that never opens: a test's refused answers must not close the deployment to the next.
  const proxy = await fx.startProxy({}, { health: createMemoryBreaker({ failureThreshold: 1_000_000 }) });
  const client = fx.client(proxy);
  const eventOf = async (requestId: string | null): Promise<UsageEvent> => {
    await waitFor(() => fx.origin.events().some((e) => e.requestId === requestId), "usage event");
    return fx.origin.events().find((e) => e.requestId === requestId)!;
  };
  const ask = (model: string, extra: Record<string, unknown>) => ({ model, messages: [{ role: "user", content: "hi" }], ...extra }) as unknown as OpenAI.ChatCompletionCreateParams;
  return {
    fx,
    proxy,
    client,
    /** How many times the vendor was called, per model. */
    calls,
    /** One unstreamed chat through the proxy: the SDK's answer and the request's usage event. */
    async chat(model: string, extra: Record<string, unknown> = {}) {
      const { data, response } = await client.chat.completions.create({ ...ask(model, extra), stream: false }).withResponse();
      return { answer: data, event: await eventOf(response.headers.get("x-request-id")) };
    },
    /** One streamed chat (usage asked): the chunks until the SDK's error (if any), and the usage event. */
    async stream(model: string, extra: Record<string, unknown> = {}) {
      const { data, response } = await client.chat.completions
        .create({ ...ask(model, extra), stream: true, stream_options: { include_usage: true } } as OpenAI.ChatCompletionCreateParamsStreaming)
        .withResponse();
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      let error: unknown = null;
      try {
        for await (const chunk of data) chunks.push(chunk);
      } catch (e) {
        error = e;
      }
      const deltas = chunks.flatMap((c) => c.choices.map((choice) => choice.delta));
      return {
        chunks,
        error,
        content: deltas.map((d) => d?.content ?? "").join(""),
        finish: chunks.flatMap((c) => c.choices.map((choice) => choice.finish_reason)).filter((f) => f != null),
        usage: chunks.find((c) => c.usage)?.usage ?? null,
        event: await eventOf(response.headers.get("x-request-id")),
      };
    },
    async stop() {
      await fx.cleanup();
      vendor.stop(true);
    },
  };
}

/** A body of one string as it is; of a list, a stream writing each part SSE_PAUSE_MS after the one before. */
function paced(sse: string | string[]): string | ReadableStream<Uint8Array> {
  if (typeof sse === "string") return sse;
  const encoder = new TextEncoder();
  return new ReadableStream({
    async start(controller) {
      for (const [i, part] of sse.entries()) {
        if (i > 0) await Bun.sleep(SSE_PAUSE_MS);
        controller.enqueue(encoder.encode(part));
      }
      controller.close();
    },
  });
}

/** The model a request names (Gemini's and Azure's paths, or the body) and whether it asks to stream. */
function modelAsked(path: string, body: string): { model: string; stream: boolean } {
  const inPath = /\/models\/([^/:]+):/.exec(path)?.[1] ?? /\/deployments\/([^/]+)\//.exec(path)?.[1];
  if (path.includes(":")) return { model: decodeURIComponent(inPath!), stream: path.includes("streamGenerateContent") };
  const parsed = JSON.parse(body) as { model?: string; stream?: unknown };
  return { model: decodeURIComponent(inPath ?? parsed.model!), stream: parsed.stream === true };
}
