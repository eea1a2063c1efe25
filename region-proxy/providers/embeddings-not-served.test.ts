/**
 * Embeddings sent to a deployment that does not serve them. Every OpenAI-format deployment is planned
 * for /v1/embeddings (routes/embeddings.ts asks only whether the adapter offers embeddings), but many
 * OpenAI-compatible chat servers have no /embeddings path: Groq answers OpenAI's own unknown-path 404
 * (code `unknown_url`, "Unknown request URL: POST /openai/v1/embeddings. ..."). Gemini answers
 * embeddings on a chat model with its model 404 ("models/x is not found for API version v1beta, or is
 * not supported for batchEmbedContents."). The caller chose the operation (embeddings on a chat alias),
 * as with Azure's OperationNotSupported: the walk falls back, the breaker hears nothing (its circuit is
 * the deployment's for every operation and tenant, so one caller's embeddings must not open it for
 * chat), and with nothing left the caller gets a 502 without the vendor's path. The same 404 on chat
 * (a wrong baseUrl) is still the deployment failing: wrong-base-url.test.ts.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { executeEmbeddings } from "./execute-embeddings.ts";
import { geminiAdapter } from "./gemini/adapter.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { EmbeddingsRequest, ProviderAdapter } from "./types.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
function serve(answer: (req: Request) => Response, path: string): string {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: answer });
  servers.push(server);
  return `http://127.0.0.1:${server.port}${path}`;
}
/** A chat-only OpenAI-compatible server in Groq's shape: /embeddings is not a path it serves. */
const groqLike = () =>
  serve(
    (req) => Response.json({ error: { message: `Unknown request URL: POST ${new URL(req.url).pathname}. Please check the URL for typos, or see the docs at https://console.groq.com/docs/`, type: "invalid_request_error", code: "unknown_url" } }, { status: 404 }),
    "/openai/v1",
  );
/** OpenAI's other wording for a path it does not serve. */
const invalidUrl = () => serve((req) => Response.json({ error: { message: `Invalid URL (POST ${new URL(req.url).pathname})`, type: "invalid_request_error", param: null, code: null } }, { status: 404 }), "/v1");
/** Gemini asked to embed with a chat model. */
const geminiChatModel = () =>
  serve(
    () => Response.json({ error: { code: 404, message: "models/gemini-2.0-flash is not found for API version v1beta, or is not supported for batchEmbedContents. Call ListModels to see the list of available models and their supported methods.", status: "NOT_FOUND" } }, { status: 404 }),
    "",
  );
const embeddingsServer = () => serve(() => Response.json({ object: "list", data: [{ object: "embedding", index: 0, embedding: [0.6, 0.8] }], model: "text-embedding-3-small", usage: { prompt_tokens: 1, total_tokens: 1 } }), "/v1");

const options = (breaker: ReturnType<typeof createMemoryBreaker>) => ({ ...testExecuteOptions({ health: breaker }), label: "embeddings-test" });
const req = { model: "chat", input: "hello", encodingFormat: "float", raw: { model: "chat", input: "hello" } } as EmbeddingsRequest;
const target = (id: string, provider: SnapshotDeployment["provider"], baseUrl: string, model: string, adapter: ProviderAdapter) => ({
  deployment: { id, provider, baseUrl, model, region: "eu", credentialRef: "env:K" } as SnapshotDeployment,
  adapter,
});
const notServing = {
  "openai unknown_url (Groq)": () => target("d_chat", "openai", groqLike(), "llama-3.3-70b-versatile", openaiAdapter),
  "openai Invalid URL": () => target("d_chat", "openai", invalidUrl(), "llama-3.3-70b-versatile", openaiAdapter),
  "gemini chat model": () => target("d_chat", "gemini", geminiChatModel(), "gemini-2.0-flash", geminiAdapter),
};

for (const [name, make] of Object.entries(notServing)) {
  test(`${name}: embeddings fall back without a breaker verdict on the chat deployment`, async () => {
    const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
    const result = await executeEmbeddings(req, [make(), target("d_embed", "openai", embeddingsServer(), "text-embedding-3-small", openaiAdapter)], options(breaker));
    expect(result.ok).toBe(true);
    expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["d_chat:error:deployment_unavailable:wrong_operation", "d_embed:ok:null"]);
    // The chat traffic of every tenant on this deployment is still let through.
    expect(breaker.canAttempt("d_chat")).toBe(true);
  });

  test(`${name}: alone, the caller gets a 502 without the vendor's words, and the circuit stays closed`, async () => {
    const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
    const result = await executeEmbeddings(req, [make()], options(breaker));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: "upstream_error", retryable: false });
    expect(JSON.stringify(result.error)).not.toMatch(/embeddings|URL|not found/i);
    expect(breaker.canAttempt("d_chat")).toBe(true);
  });
}
