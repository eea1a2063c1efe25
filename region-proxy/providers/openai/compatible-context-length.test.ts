/**
 * An OpenAI-compatible server (vLLM, which the OpenAI classifier already reads for "The model `x`
 * does not exist") refuses an over-long prompt with a 400 whose `code` is the number 400, not
 * "context_length_exceeded". The walk takes it as the caller's permanent error and fails fast, so a
 * chain [small-window vLLM model, large-window model] never reaches the larger window.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { executeChat } from "../execute.ts";
import { openaiAdapter } from "./adapter.ts";
import type { ChatRequest } from "../types.ts";
import { testExecuteOptions } from "../../testing/execute-options.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
const vendor = (handle: () => Response) => {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: handle });
  servers.push(server);
  return `http://127.0.0.1:${server.port}/v1`;
};
const completion = { id: "x", object: "chat.completion", created: 1, model: "big", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
const messages = [{ role: "user", content: "a very long prompt" }];
const chat = () => ({ model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } }) as unknown as ChatRequest;
const target = (id: string, baseUrl: string, model: string) => ({ deployment: { id, provider: "openai", baseUrl, model, region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: openaiAdapter });

test("vLLM's context-length 400 falls back to the larger-window deployment", async () => {
  // vLLM's answer (vllm/entrypoints/openai/serving_engine.py), verbatim shape.
  const small = vendor(() =>
    Response.json(
      { error: { message: "This model's maximum context length is 4096 tokens. However, you requested 9000 tokens (8000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.", type: "BadRequestError", param: null, code: 400 } },
      { status: 400 },
    ),
  );
  const big = vendor(() => Response.json(completion));
  const result = await executeChat(chat(), [target("d_small", small, "qwen-7b"), target("d_big", big, "qwen-72b-128k")], testExecuteOptions());
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.reason}`)).toEqual(["d_small:context_length", "d_big:null"]);
  expect(result.ok).toBe(true);
});
