/**
 * A faithful, deterministic OpenAI-compatible vendor for tests and `npm start`. Behaviour is chosen by
 * the model name (the TensorZero / Helicone idea):
 *
 * | model starts with | behaviour |
 * | --- | --- |
 * | `error-500` | 500 server_error |
 * | `error-429` | 429 rate_limit_exceeded with `retry-after: 1` |
 * | `error-400` | 400 invalid_request_error (param `messages`) |
 * | `hang` | never answers (until the caller gives up) |
 * | `garbage` | 200 with a body that is not JSON (stream: a data line that is not JSON) |
 * | `drop` | stream: two chunks then the connection ends without `[DONE]`; non-stream: half a JSON body |
 * | `slow` | 50 ms before every stream chunk (non-stream: 50 ms per word before answering) |
 * | anything else | `Echo: <last user message>` (see echo-reply.ts for the token arithmetic), or a function call (echo-answer.ts) |
 *
 * Run directly: PORT (default 4100), ECHO_API_KEY (optional) → prints `echo vendor listening on <url>`.
 */
import { embeddingVector, promptTokens } from "./echo-reply.ts";
import { readEmbeddingRequest } from "./embedding-request.ts";
import { echoAnswer } from "./echo-answer.ts";
import { echoStream } from "./echo-stream.ts";
import { completionBody, errorResponse, refusalResponse, usageBody } from "./openai-wire.ts";
import { readChatRequest } from "./chat-request.ts";
import { Refusal } from "./openai-request-readers.ts";
import { httpUrl } from "../../shared/http/http-url.ts";

export interface EchoVendor {
  url: string;
  port: number;
  /** How many chat/embedding calls each model got, so tests can assert how often the vendor was hit. */
  calls(model?: string): number;
  /** How many calls (per model) the caller abandoned before the answer was complete. */
  aborts(model?: string): number;
  stop(): Promise<void>;
}

const SLOW_CHUNK_MS = 50;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export async function startEchoVendor(opts: { port: number; host?: string; apiKey?: string | null }): Promise<EchoVendor> {
  const callCounts = new Map<string, number>();
  const abortCounts = new Map<string, number>();
  const count = (map: Map<string, number>, model: string) => map.set(model, (map.get(model) ?? 0) + 1);
  const total = (map: Map<string, number>, model?: string) =>
    model === undefined ? [...map.values()].reduce((a, b) => a + b, 0) : (map.get(model) ?? 0);
  let sequence = 0;

  async function readJson(request: Request): Promise<Record<string, unknown> | Response> {
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return errorResponse(400, "We could not parse the JSON body of your request.", "invalid_request_error", null);
    }
    if (!isRecord(body)) return errorResponse(400, "The request body must be a JSON object.", "invalid_request_error", null);
    if (typeof body.model !== "string") return errorResponse(400, "you must provide a model parameter", "invalid_request_error", null, "model");
    return body;
  }

  function fault(model: string, signal: AbortSignal): Response | Promise<Response> | null {
    if (model.startsWith("error-500")) return errorResponse(500, "The server had an error while processing your request.", "server_error", null);
    if (model.startsWith("error-429")) {
      return errorResponse(429, "Rate limit reached for requests. Please try again in 1s.", "requests", "rate_limit_exceeded", null, { "retry-after": "1" });
    }
    if (model.startsWith("error-400")) {
      return errorResponse(400, "Invalid 'messages': the echo vendor refuses this request.", "invalid_request_error", "invalid_value", "messages");
    }
    if (model.startsWith("hang")) {
      return new Promise<Response>((resolve) => {
        signal.addEventListener("abort", () => {
          count(abortCounts, model);
          resolve(new Response(null, { status: 499 }));
        });
      });
    }
    return null;
  }

  /** A chat or embeddings call, counted for its model: its body, or the answer when it is not JSON or its model is a fault. */
  async function admit(request: Request): Promise<{ body: Record<string, unknown>; model: string } | Response> {
    const body = await readJson(request);
    if (body instanceof Response) return body;
    const model = body.model as string;
    count(callCounts, model);
    return (await fault(model, request.signal)) ?? { body, model };
  }

  async function chat(request: Request): Promise<Response> {
    const admitted = await admit(request);
    if (admitted instanceof Response) return admitted;
    const { body, model } = admitted;
    const read = readChatRequest(body);
    if (read instanceof Refusal) return refusalResponse(read);
    const { messages, stream } = read;
    const id = `chatcmpl-echo${++sequence}`;
    const answer = echoAnswer(read, id);
    if (answer instanceof Refusal) return refusalResponse(answer);
    const usage = usageBody(promptTokens(messages), answer.completionTokens);
    const created = Math.floor(Date.now() / 1000);

    if (model.startsWith("garbage")) {
      return stream
        ? new Response("data: this is not json\n\n", { headers: { "content-type": "text/event-stream" } })
        : new Response("<html>502 Bad Gateway</html>", { headers: { "content-type": "application/json" } });
    }
    if (!stream) {
      if (model.startsWith("slow")) await Bun.sleep(SLOW_CHUNK_MS * answer.completionTokens);
      const json = JSON.stringify(completionBody(id, created, model, answer.choices, usage));
      if (model.startsWith("drop")) return new Response(json.slice(0, json.length >> 1), { headers: { "content-type": "application/json" } });
      return new Response(json, { headers: { "content-type": "application/json" } });
    }

    return echoStream({
      id,
      created,
      model,
      choices: answer.choices,
      usage,
      includeUsage: read.includeUsage,
      dropAfterFrames: model.startsWith("drop") ? 2 : null,
      delayMs: model.startsWith("slow") ? SLOW_CHUNK_MS : 0,
      onAbandoned: () => count(abortCounts, model),
    });
  }

  async function embeddings(request: Request): Promise<Response> {
    const admitted = await admit(request);
    if (admitted instanceof Response) return admitted;
    const { body, model } = admitted;
    const read = readEmbeddingRequest(body);
    if (read instanceof Refusal) return refusalResponse(read);
    const { inputs, tokens, dimensions } = read;
    return Response.json({
      object: "list",
      // The official SDKs ask for base64 (little-endian float32) by default.
      data: inputs.map((text, index) => {
        const vector = embeddingVector(text, dimensions);
        const embedding = body.encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
        return { object: "embedding", index, embedding };
      }),
      model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  const server = Bun.serve({
    port: opts.port,
    hostname: opts.host ?? "127.0.0.1",
    development: false,
    reusePort: false, // a port in use fails the start (Bun would otherwise share it with the other server)
    idleTimeout: 0, // `hang` must be able to hang
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (opts.apiKey && request.headers.get("authorization") !== `Bearer ${opts.apiKey}`) {
        return errorResponse(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
      }
      if (path === "/v1/chat/completions" && request.method === "POST") return chat(request);
      if (path === "/v1/embeddings" && request.method === "POST") return embeddings(request);
      if (path === "/v1/models" && request.method === "GET") {
        const models = ["echo-1", "error-500", "error-429", "error-400", "hang", "garbage", "drop", "slow"];
        return Response.json({ object: "list", data: models.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "echo" })) });
      }
      return errorResponse(404, `Invalid URL (${request.method} ${path})`, "invalid_request_error", null);
    },
    error(error) {
      console.error("echo vendor error:", error);
      return errorResponse(500, "The echo vendor hit an internal error.", "server_error", null);
    },
  });

  return {
    url: httpUrl(server.hostname!, server.port!),
    port: server.port as number,
    calls: (model?: string) => total(callCounts, model),
    aborts: (model?: string) => total(abortCounts, model),
    stop: async () => {
      await server.stop(true);
    },
  };
}

if (import.meta.main) {
  const vendor = await startEchoVendor({ port: Number(process.env.PORT ?? 4100), host: process.env.HOST, apiKey: process.env.ECHO_API_KEY ?? null });
  console.log(`echo vendor listening on ${vendor.url}`);
  const shutdown = () => void vendor.stop().then(() => process.exit(0));
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}
