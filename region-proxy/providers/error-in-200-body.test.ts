/**
 * A 2xx whose body is only an error (`{"error": {...}}`, what OpenRouter and some OpenAI-compatible
 * servers send once they committed to a 200) is judged as the HTTP error it stands for, as the same
 * object inside a stream already is (openai/stream-error.ts): a server error or rate limit is retried
 * and falls back, a refusal of the request fails fast with the vendor's words, and it is no answer the
 * vendor billed (not an invalid_response).
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { executeChat } from "./execute.ts";
import { executeEmbeddings } from "./execute-embeddings.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest } from "./types.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
const messages = [{ role: "user", content: "hi" }];
const chat = { model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } } as unknown as ChatRequest;
const completion = { id: "x", object: "chat.completion", created: 1, model: "m1", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };

function target(id: string, answer: () => Response) {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: answer });
  servers.push(server);
  return { deployment: { id, provider: "openai", baseUrl: `http://127.0.0.1:${server.port}/v1`, model: `${id}-model`, region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: openaiAdapter };
}

test("a 200 carrying a server error is retried and falls back like a 502, not refused as an invalid answer", async () => {
  const failing = target("d1", () => Response.json({ error: { message: "Upstream overloaded", type: "server_error", code: 502 } }));
  const healthy = target("d2", () => Response.json(completion));
  const result = await executeChat(chat, [failing, healthy], testExecuteOptions());
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["d1:error:status_502", "d1:error:status_502", "d2:ok:null"]);
});

test("a 200 carrying a refusal of the request fails fast with the vendor's message", async () => {
  const refusing = target("d1", () => Response.json({ error: { message: "Invalid value for 'temperature'", type: "invalid_request_error", param: "temperature", code: null } }));
  const result = await executeChat(chat, [refusing], testExecuteOptions());
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.trail.steps.map((s) => s.reason)).toEqual(["status_400"]);
  expect(JSON.stringify(result.error)).toContain("Invalid value for 'temperature'");
});

test("an embeddings 200 carrying only an error is the vendor's error too", async () => {
  const failing = target("d1", () => Response.json({ error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } }));
  const result = await executeEmbeddings({ model: "m", input: "hi", encodingFormat: "float", raw: { model: "m", input: "hi" } }, [failing], { ...testExecuteOptions(), label: "t" });
  expect(result.ok).toBe(false);
  expect(result.trail.steps.map((s) => s.reason)).toEqual(["status_429", "status_429"]);
});
