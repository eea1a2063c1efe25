import { describe, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { assemble, fixtureJson, fixtureText, randomCuts, sseEvents, translate } from "../../../test/fixtures/replay.ts";
import { type ChatRequest, type ResponseContext, VendorProtocolError } from "../types.ts";
import { classifyAzureError } from "./errors.ts";
import { AZURE_API_VERSION, buildAzureRequest } from "./request.ts";
import { parseAzureResponse } from "./response.ts";
import { createAzureStreamTranslator } from "./stream.ts";

const ctx = (includeUsage = true): ResponseContext => ({ completionId: "chatcmpl-az1", created: 5, model: "gpt-4o", includeUsage });
const encoder = new TextEncoder();
const target = (baseUrl: string): SnapshotDeployment => ({ id: "dep_z", provider: "azure", baseUrl, model: "my-gpt4o", region: "eu", credentialRef: "env:Z" });
const req = (fields: Partial<ChatRequest> = {}): ChatRequest => ({ model: "alias", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw: { model: "alias", messages: [{ role: "user", content: "hi" }], temperature: 0.3 }, ...fields });

async function replay(name: string, includeUsage = true, cuts: number[] = []) {
  return translate(createAzureStreamTranslator(ctx(includeUsage)), sseEvents(encoder.encode(await fixtureText("azure", name)), cuts));
}

describe("azure buildRequest", () => {
  test("deployment URL, api-version, api-key header; the OpenAI body otherwise", () => {
    const http = buildAzureRequest(req(), target("https://myres.openai.azure.com/"), "az-secret");
    expect(http.url).toBe(`https://myres.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=${AZURE_API_VERSION}`);
    expect(http.headers["api-key"]).toBe("az-secret");
    expect(http.headers.authorization).toBeUndefined();
    expect(JSON.parse(http.body)).toMatchObject({ model: "my-gpt4o", temperature: 0.3, messages: [{ role: "user", content: "hi" }] });
    expect(buildAzureRequest(req(), target("https://myres.openai.azure.com/openai?api-version=2025-01-01-preview"), "k").url).toBe(
      "https://myres.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=2025-01-01-preview",
    );
    const stream = JSON.parse(buildAzureRequest(req({ stream: true, raw: { stream: true } }), target("https://x.openai.azure.com"), "k").body);
    expect(stream.stream_options).toEqual({ include_usage: true });
  });

  test("a client cannot steer the host or path", () => {
    const http = buildAzureRequest(req({ raw: { model: "../../x", base_url: "https://evil" } }), { ...target("https://myres.openai.azure.com"), model: "a/../b?c" }, "k");
    const url = new URL(http.url);
    expect(url.host).toBe("myres.openai.azure.com");
    expect(url.pathname).toBe("/openai/deployments/a%2F..%2Fb%3Fc/chat/completions");
  });
});

describe("azure stream translator on a recorded stream", () => {
  test("the prompt-filter preamble is dropped and annotations stripped", async () => {
    const { chunks, usage } = await replay("stream-text.sse", false);
    expect(chunks.map((c) => c.choices[0]?.delta)).toEqual([{ content: "", refusal: null, role: "assistant" }, { content: "Hey" }, { content: "!" }, { content: " 👋" }, {}]);
    expect(chunks.every((c) => c.id === "chatcmpl-az1" && !("prompt_filter_results" in c) && !("content_filter_results" in c.choices[0]!))).toBe(true);
    expect(assemble(chunks).finishReason).toBe("stop");
    expect(usage).toBeNull();
  });

  test("the usage chunk is kept only when asked, usage always returned", async () => {
    const asked = await replay("stream-usage.sse", true);
    expect(asked.chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 8, completion_tokens: 4 } });
    const notAsked = await replay("stream-usage.sse", false);
    expect(notAsked.chunks.every((c) => c.choices.length === 1)).toBe(true);
    expect(notAsked.usage).toEqual(asked.usage);
    expect(asked.usage).toEqual({ inputTokens: 8, outputTokens: 4, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  test("same result at random byte splits (a 4-byte emoji included)", async () => {
    const whole = await replay("stream-usage.sse");
    const length = encoder.encode(await fixtureText("azure", "stream-usage.sse")).length;
    for (const cuts of randomCuts(length, 25, 7)) expect(await replay("stream-usage.sse", true, cuts)).toEqual(whole);
  });

  test("a stream cut before [DONE] is a protocol error", () => {
    const t = createAzureStreamTranslator(ctx());
    t.onEvent({ event: null, data: '{"choices":[],"prompt_filter_results":[]}', id: null });
    expect(() => t.finish()).toThrow(VendorProtocolError);
    expect(() => createAzureStreamTranslator(ctx()).onEvent({ event: null, data: "not json", id: null })).toThrow(VendorProtocolError);
  });
});

describe("azure parseResponse", () => {
  test("a recorded completion, annotations stripped", async () => {
    const { completion, usage } = parseAzureResponse(await fixtureJson("azure", "completion.json"), ctx());
    expect(completion.id).toBe("chatcmpl-az1");
    expect(completion.prompt_filter_results).toBeUndefined();
    expect(completion.choices[0]).toEqual({ finish_reason: "length", index: 0, logprobs: null, message: { annotations: [], content: "Hello! It looks like", refusal: null, role: "assistant" } } as never);
    expect(usage).toEqual({ inputTokens: 8, outputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  test("streamed and unstreamed versions of one answer give identical usage", async () => {
    const streamed = await replay("stream-usage.sse");
    const plain = parseAzureResponse(await fixtureJson("azure", "completion-hello.json"), ctx());
    expect(streamed.usage).toEqual(plain.usage);
    expect(assemble(streamed.chunks).content).toBe(plain.completion.choices[0]!.message.content!);
  });
});

describe("azure classifyError", () => {
  test("content filter refusals are permanent, reason content_filter", async () => {
    const e = classifyAzureError(400, new Headers(), await fixtureText("azure", "error-content-filter.json"));
    expect(e).toMatchObject({ retryable: false, reason: "content_filter", clientError: { kind: "vendor_rejected", status: 400, code: "content_filter", param: "prompt" } });
  });

  test("429 honours retry-after-ms over retry-after; 5xx retryable", async () => {
    const body = await fixtureText("azure", "error-rate-limit.json");
    expect(classifyAzureError(429, new Headers({ "retry-after-ms": "6000", "retry-after": "7" }), body)).toMatchObject({ retryable: true, retryAfterMs: 6000, reason: "status_429" });
    expect(classifyAzureError(429, new Headers({ "retry-after": "6" }), body).retryAfterMs).toBe(6000);
    for (const s of [500, 502, 503, 504]) expect(classifyAzureError(s, new Headers(), body).retryable).toBe(true);
  });

  test("401, 404 DeploymentNotFound and context length are permanent with Azure's message", async () => {
    expect(classifyAzureError(401, new Headers(), await fixtureText("azure", "error-unauthorized.json"))).toMatchObject({ retryable: false, clientError: { status: 401, code: "401" } });
    expect(classifyAzureError(404, new Headers(), await fixtureText("azure", "error-deployment-not-found.json"))).toMatchObject({ retryable: false, clientError: { code: "DeploymentNotFound" } });
    expect(classifyAzureError(400, new Headers(), await fixtureText("azure", "error-context-length.json"))).toMatchObject({ retryable: false, reason: "context_length", clientError: { code: "context_length_exceeded", param: "messages" } });
  });
});
