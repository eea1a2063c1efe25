/**
 * Which deployments share a context window, so the walk skips them after a context-length refusal.
 * An OpenAI-format deployment's `model` on a server other than OpenAI's (vLLM, Together, a self-hosted
 * OpenAI-compatible server like the quickstart's echo vendor) is the name that server serves, chosen by
 * its operator, as an Azure deployment's is: two servers serving "llama-3.1-70b" with 8k and 128k
 * windows are the classic "fall back to a larger window" chain. Only the same server (baseUrl) and
 * model is the same window for openai and azure; Anthropic's and Gemini's model names are the vendor's.
 */
import { expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { executeChat } from "./execute.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import { sameWindow } from "./same-window.ts";
import type { ChatRequest } from "./types.ts";
import { useCountingVendors } from "../testing/counting-vendor.ts";

const dep = (provider: SnapshotDeployment["provider"], baseUrl: string, model: string) => ({ id: `d_${baseUrl}`, provider, baseUrl, model, region: "eu", credentialRef: "env:K" }) as SnapshotDeployment;

test("openai and azure: the same model name is the same window only on the same server", () => {
  for (const provider of ["openai", "azure"] as const) {
    expect(sameWindow(dep(provider, "http://a/v1", "llama-3.1-70b"), dep(provider, "http://b/v1", "llama-3.1-70b"))).toBe(false);
    expect(sameWindow(dep(provider, "http://a/v1", "llama-3.1-70b"), dep(provider, "http://a/v1", "llama-3.1-70b"))).toBe(true);
  }
});

test("anthropic and gemini: the vendor's model name is its window wherever it is called; other models or providers are not", () => {
  expect(sameWindow(dep("anthropic", "https://api.anthropic.com", "claude-x"), dep("anthropic", "https://eu.example", "claude-x"))).toBe(true);
  expect(sameWindow(dep("gemini", "https://g", "gemini-x"), dep("gemini", "https://g", "gemini-y"))).toBe(false);
  expect(sameWindow(dep("openai", "https://g", "m"), dep("azure", "https://g", "m"))).toBe(false);
});

const vendor = useCountingVendors();
const TOO_LONG = "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.";
const tooLong = () => Response.json({ error: { message: TOO_LONG, type: "invalid_request_error", param: "messages", code: "context_length_exceeded" } }, { status: 400 });
const completion = () => Response.json({ id: "x", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
const messages = [{ role: "user", content: "a long prompt" }];
const chat = () => ({ model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } }) as unknown as ChatRequest;
const server = (id: string, url: string) => ({ deployment: { ...dep("openai", `${url}/v1`, "llama-3.1-70b"), id }, adapter: openaiAdapter });

test("two OpenAI-compatible servers of the same served name: the one with the larger window is still called", async () => {
  const small = vendor(tooLong);
  const large = vendor(completion);
  const result = await executeChat(chat(), [server("d_8k", small.url), server("d_128k", large.url)], testExecuteOptions());
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["d_8k:error:context_length", "d_128k:ok:null"]);
  expect(large.calls()).toBe(1);
  expect(result.ok).toBe(true);
});

test("a second deployment on the same server and name is still skipped, not called", async () => {
  const small = vendor(tooLong);
  const result = await executeChat(chat(), [server("d_a", small.url), server("d_b", small.url)], testExecuteOptions());
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["d_a:error:context_length", "d_b:skipped:context_length_same_model"]);
  expect(small.calls()).toBe(1);
});
