/**
 * A vendor 4xx that the DEPLOYMENT caused (its vendor model or deployment does not exist, its account
 * cannot pay) is the gateway's configuration problem, never the caller's: the healthy next deployment
 * answers, the breaker hears a failure, and a chain with nothing left answers a fixed 502 without the
 * vendor's words. A 4xx the request caused still fails fast with the vendor's message. One executor
 * call at a time, against small local vendors answering each vendor's real error body.
 */
import { describe, expect, test } from "bun:test";
import { renderError } from "../../shared/errors/openai-error.ts";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { anthropicAdapter } from "./anthropic/adapter.ts";
import { azureAdapter } from "./azure/adapter.ts";
import { executeChat, type ExecuteOptions } from "./execute.ts";
import { geminiAdapter } from "./gemini/adapter.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest } from "./types.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { useCountingVendors } from "../testing/counting-vendor.ts";

const vendor = useCountingVendors();

const adapters = { openai: openaiAdapter, azure: azureAdapter, anthropic: anthropicAdapter, gemini: geminiAdapter } as const;
type Provider = keyof typeof adapters;
const target = (id: string, url: string, provider: Provider = "openai") => ({
  deployment: { id, provider, baseUrl: provider === "openai" ? `${url}/v1` : url, model: `${id}-model`, region: "eu", credentialRef: "env:K" } as SnapshotDeployment,
  adapter: adapters[provider],
});
const completion = { id: "x", object: "chat.completion", created: 1, model: "m1", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
const messages = [{ role: "user", content: "hi" }];
const chat = () => ({ model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } }) as unknown as ChatRequest;
const options = (extra: Partial<ExecuteOptions> = {}): ExecuteOptions => testExecuteOptions(extra);

interface VendorCase {
  name: string;
  provider: Provider;
  status: number;
  body: unknown;
  /** Words of the vendor's body that must never reach the caller. */
  secret: string;
}

// Each vendor's own body, as its API answers it.
const DEPLOYMENT_CAUSED: (VendorCase & { cause: "not_found" | "account" })[] = [
  {
    // Anthropic answers a drained account with a 400 (https://github.com/anthropics/anthropic-sdk-typescript/issues/618).
    name: "an Anthropic account out of credit (400 'Your credit balance is too low')",
    provider: "anthropic",
    status: 400,
    body: { type: "error", error: { type: "invalid_request_error", message: "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits." } },
    secret: "credit balance",
    cause: "account",
  },
  {
    name: "an Anthropic account over its spend limit (400 'You have reached your specified API usage limits')",
    provider: "anthropic",
    status: 400,
    body: { type: "error", error: { type: "invalid_request_error", message: "You have reached your specified API usage limits. You will regain access on 2026-08-01 at 00:00 UTC." } },
    secret: "usage limits",
    cause: "account",
  },
  {
    // https://docs.anthropic.com/en/api/errors: 402 billing_error.
    name: "Anthropic's 402 billing_error",
    provider: "anthropic",
    status: 402,
    body: { type: "error", error: { type: "billing_error", message: "There is an issue with your billing or payment information." } },
    secret: "payment information",
    cause: "account",
  },
  {
    name: "an Anthropic model that does not exist (404 not_found_error 'model: ...')",
    provider: "anthropic",
    status: 404,
    body: { type: "error", error: { type: "not_found_error", message: "model: claude-retired-20240229" } },
    secret: "claude-retired",
    cause: "not_found",
  },
  {
    name: "a deleted Azure deployment (404 DeploymentNotFound)",
    provider: "azure",
    status: 404,
    body: { error: { code: "DeploymentNotFound", message: "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again." } },
    secret: "API deployment",
    cause: "not_found",
  },
  {
    name: "a retired or unknown OpenAI model (404 model_not_found)",
    provider: "openai",
    status: 404,
    body: { error: { message: "The model `gpt-retired` does not exist or you do not have access to it.", type: "invalid_request_error", param: null, code: "model_not_found" } },
    secret: "gpt-retired",
    cause: "not_found",
  },
  {
    name: "a drained OpenAI account (429 insufficient_quota)",
    provider: "openai",
    status: 429,
    body: { error: { message: "You exceeded your current quota, please check your plan and billing details.", type: "insufficient_quota", param: null, code: "insufficient_quota" } },
    secret: "billing details",
    cause: "account",
  },
  {
    // https://ai.google.dev/gemini-api/docs/troubleshooting: 404 NOT_FOUND.
    name: "a Gemini model that does not exist (404 NOT_FOUND 'models/x is not found')",
    provider: "gemini",
    status: 404,
    body: { error: { code: 404, message: "models/gemini-retired is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.", status: "NOT_FOUND" } },
    secret: "gemini-retired",
    cause: "not_found",
  },
  {
    // https://ai.google.dev/gemini-api/docs/troubleshooting: 400 FAILED_PRECONDITION.
    name: "a Gemini project without billing where the free tier is not offered (400 FAILED_PRECONDITION)",
    provider: "gemini",
    status: 400,
    body: { error: { code: 400, message: "Gemini API free tier is not available in your country. Please enable billing on your project in Google AI Studio.", status: "FAILED_PRECONDITION" } },
    secret: "enable billing",
    cause: "account",
  },
];

describe("a 4xx the deployment caused counts as the deployment failing", () => {
  for (const c of DEPLOYMENT_CAUSED) {
    test(`${c.name}: the next deployment answers, once, and the breaker opens`, async () => {
      const broken = vendor(() => Response.json(c.body, { status: c.status }));
      const healthy = vendor(() => Response.json(completion));
      const breaker = createMemoryBreaker({ failureThreshold: 3, coolDownMs: 30_000 });
      for (let i = 0; i < 3; i++) {
        const result = await executeChat(chat(), [target("a", broken.url, c.provider), target("b", healthy.url)], options({ health: breaker }));
        expect(result.ok).toBe(true);
        expect(result.trail.fallback).toBe(true);
        expect(result.trail.steps.map((s) => [s.deploymentId, s.outcome, s.reason])).toEqual([
          ["a", "error", `deployment_unavailable:${c.cause}`],
          ["b", "ok", null],
        ]);
      }
      // Not retried on the same deployment (it cannot serve anyone), and told to the breaker each time.
      expect(broken.calls()).toBe(3);
      expect(healthy.calls()).toBe(3);
      expect(breaker.canAttempt("a")).toBe(false);
    });

    test(`${c.name}, with no deployment left: a fixed 502 without the vendor's words`, async () => {
      const broken = vendor(() => Response.json(c.body, { status: c.status }));
      const result = await executeChat(chat(), [target("a", broken.url, c.provider)], options());
      expect(result.ok).toBe(false);
      if (result.ok) return;
      const rendered = renderError(result.error);
      expect(rendered.status).toBe(502);
      expect(rendered.body.error).toMatchObject({ type: "server_error", code: "upstream_error" });
      expect(rendered.headers["x-should-retry"]).toBe("false");
      expect(JSON.stringify(rendered.body)).not.toContain(c.secret);
      expect(JSON.stringify(rendered.body)).not.toContain("a-model");
      expect(broken.calls()).toBe(1);
    });
  }
});

// Bodies a caller's request provokes: they stay the caller's answer, and say the deployment is up.
const REQUEST_CAUSED: (Omit<VendorCase, "secret"> & { code: string | null; message: string })[] = [
  {
    name: "an OpenAI 400 for a bad parameter",
    provider: "openai",
    status: 400,
    body: { error: { message: "Invalid value for 'temperature': must be at most 2.", type: "invalid_request_error", param: "temperature", code: "invalid_value" } },
    code: "invalid_value",
    message: "Invalid value for 'temperature': must be at most 2.",
  },
  {
    name: "an Azure 422",
    provider: "azure",
    status: 422,
    body: { error: { message: "Unprocessable entity: 'messages' is not valid.", type: "invalid_request_error", param: "messages", code: null } },
    code: null,
    message: "Unprocessable entity: 'messages' is not valid.",
  },
  {
    // A validation message may quote the caller's own text: only the vendor's opening words count.
    name: "an Anthropic 400 whose message quotes the caller's text about credit balances",
    provider: "anthropic",
    status: 400,
    body: { type: "error", error: { type: "invalid_request_error", message: "messages.0.content.0.type: Input tag 'Your credit balance is too low' found using 'type' does not match any of the expected tags" } },
    code: "invalid_request_error",
    message: "messages.0.content.0.type: Input tag 'Your credit balance is too low' found using 'type' does not match any of the expected tags",
  },
  {
    // https://ai.google.dev/gemini-api/docs/troubleshooting: a 404 can be a file the request referenced.
    name: "a Gemini 404 for a file the request referenced",
    provider: "gemini",
    status: 404,
    body: { error: { code: 404, message: "File https://example.com/cat.png not found.", status: "NOT_FOUND" } },
    code: "NOT_FOUND",
    message: "File https://example.com/cat.png not found.",
  },
  {
    name: "a Gemini FAILED_PRECONDITION about a file the request referenced",
    provider: "gemini",
    status: 400,
    body: { error: { code: 400, message: "The File abc123 is not in an ACTIVE state and usage is not allowed.", status: "FAILED_PRECONDITION" } },
    code: "FAILED_PRECONDITION",
    message: "The File abc123 is not in an ACTIVE state and usage is not allowed.",
  },
];

describe("a 4xx the request caused still fails fast with the vendor's message", () => {
  for (const c of REQUEST_CAUSED) {
    test(`${c.name}: no fallback, the vendor's status and message, the breaker hears the deployment is up`, async () => {
      const strict = vendor(() => Response.json(c.body, { status: c.status }));
      const healthy = vendor(() => Response.json(completion));
      const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 30_000 });
      const result = await executeChat(chat(), [target("a", strict.url, c.provider), target("b", healthy.url)], options({ health: breaker }));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error).toMatchObject({ kind: "vendor_rejected", status: c.status, message: c.message, code: c.code });
      expect(renderError(result.error).status).toBe(c.status);
      expect(strict.calls()).toBe(1);
      expect(healthy.calls()).toBe(0);
      expect(breaker.canAttempt("a")).toBe(true);
    });
  }
});
