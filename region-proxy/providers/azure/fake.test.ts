/**
 * End to end against the fake Azure OpenAI: buildRequest → fetch (here, in the test) →
 * parseResponse, or SseParser + the stream translator; and classifyError on the fake's errors.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { startFakeAzure } from "../../../test/fakes/azure.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { assemble, readUntilQuiet, translate } from "../../../test/fixtures/replay.ts";
import { readSseBatches } from "../sse-reader.ts";
import { type ChatRequest, type ResponseContext, type SseEvent, VendorProtocolError } from "../types.ts";
import { azureAdapter } from "./adapter.ts";

let fake: FakeVendor;
beforeAll(async () => {
  fake = await startFakeAzure({ apiKey: "az-fake" });
});
afterAll(async () => {
  await fake.stop();
});

const target = (deployment = "gpt4o-prod"): SnapshotDeployment => ({ id: "dep_z", provider: "azure", baseUrl: fake.url, model: deployment, region: "eu", credentialRef: "env:Z" });
const ctx: ResponseContext = { completionId: "chatcmpl-aze2e", created: 1, model: "gpt4o-prod", includeUsage: true };
function request(fields: Partial<ChatRequest> = {}, raw: Record<string, unknown> = {}): ChatRequest {
  const messages = fields.messages ?? [{ role: "user" as const, content: "hello azure" }];
  return { model: "alias", messages, stream: false, includeUsage: true, ...fields, raw: { model: "alias", messages, ...raw, ...(fields.stream ? { stream: true } : {}) } };
}
async function send(req: ChatRequest, deployment?: string, key = "az-fake", signal?: AbortSignal) {
  const http = azureAdapter.buildRequest(req, target(deployment), key);
  return fetch(http.url, { method: http.method, headers: http.headers, body: http.body, signal });
}
async function stream(req: ChatRequest, deployment?: string) {
  const res = await send({ ...req, stream: true, raw: { ...req.raw, stream: true } }, deployment);
  expect(res.status).toBe(200);
  const events: SseEvent[] = [];
  for await (const batch of readSseBatches(res.body!)) events.push(...batch);
  return translate(azureAdapter.createStreamTranslator(ctx), events);
}

describe("azure adapter against the fake", () => {
  test("unstreamed and streamed answers agree, and the vendor saw Azure's wire format", async () => {
    const before = fake.calls();
    const res = await send(request());
    expect(res.status).toBe(200);
    const plain = azureAdapter.parseResponse(await res.json(), ctx);
    expect(plain.completion.choices[0]?.message.content).toBe("Echo: hello azure");
    expect(plain.completion.prompt_filter_results).toBeUndefined();
    const seen = fake.lastRequest()!;
    expect(seen.path).toMatch(/^\/openai\/deployments\/gpt4o-prod\/chat\/completions\?api-version=/);
    expect(seen.headers["api-key"]).toBe("az-fake");
    expect(seen.headers.authorization).toBeUndefined();
    const streamed = await stream(request());
    expect((fake.lastRequest()!.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
    expect(assemble(streamed.chunks).content).toBe("Echo: hello azure");
    expect(streamed.usage).toEqual(plain.usage);
    expect(streamed.chunks.some((c) => c.choices.length === 0 && !c.usage)).toBe(false);
    expect(fake.calls()).toBe(before + 2);
  });

  test("tool calls, streamed and not", async () => {
    const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }];
    const req = request({ messages: [{ role: "user", content: "call tool please" }], tools }, { tools });
    const plain = azureAdapter.parseResponse(await (await send(req)).json(), ctx).completion;
    expect(plain.choices[0]).toMatchObject({ finish_reason: "tool_calls", message: { tool_calls: [{ function: { name: "lookup", arguments: '{"echo":"call tool please"}' } }] } });
    const streamed = assemble((await stream(req)).chunks);
    expect(streamed).toEqual({ content: "", toolCalls: [{ id: "call_fakeazure1", name: "lookup", arguments: '{"echo":"call tool please"}' }], finishReason: "tool_calls" });
  });

  test("a filtered answer is finish_reason content_filter", async () => {
    expect(azureAdapter.parseResponse(await (await send(request(), "filtered-output")).json(), ctx).completion.choices[0]?.finish_reason).toBe("content_filter");
    expect(assemble((await stream(request(), "filtered-output")).chunks).finishReason).toBe("content_filter");
  });

  test("fault modes classify as the executor needs", async () => {
    const cases: [string, boolean, string][] = [
      ["error-500", true, "status_500"],
      ["overloaded", true, "status_503"],
      ["rate-limit", true, "status_429"],
      ["error-400", false, "status_400"],
      ["context-length", false, "context_length"],
      ["content-filter", false, "content_filter"],
    ];
    for (const [deployment, retryable, reason] of cases) {
      const res = await send(request(), deployment);
      const verdict = azureAdapter.classifyError(res.status, res.headers, await res.text());
      expect([deployment, verdict.retryable, verdict.reason]).toEqual([deployment, retryable, reason]);
    }
    const limited = await send(request(), "rate-limit");
    expect(azureAdapter.classifyError(limited.status, limited.headers, await limited.text()).retryAfterMs).toBe(1000);
  });

  test("a wrong key is Azure's 401", async () => {
    const res = await send(request(), undefined, "nope");
    expect(res.status).toBe(401);
    expect(azureAdapter.classifyError(res.status, res.headers, await res.text())).toMatchObject({ retryable: false, reason: "credential_rejected", clientError: { kind: "upstream_error" } });
  });

  test("hang never answers until the client gives up", async () => {
    const controller = new AbortController();
    const pending = send(request(), "hang", "az-fake", controller.signal);
    expect(await Promise.race([pending.then(() => "answered", () => "failed"), Bun.sleep(150).then(() => "waiting")])).toBe("waiting");
    controller.abort();
    expect(await pending.then(() => "answered", () => "aborted")).toBe("aborted");
  });

  test("garbage, a cut stream and a silent stream are all caught", async () => {
    const bad = await send(request(), "garbage");
    expect(bad.status).toBe(200);
    const text = await bad.text();
    expect(() => azureAdapter.parseResponse(JSON.parse(text), ctx)).toThrow(SyntaxError);
    const garbled = await readUntilQuiet((await send(request({ stream: true }), "garbage")).body!, 1000);
    expect(() => translate(azureAdapter.createStreamTranslator(ctx), garbled.events)).toThrow(VendorProtocolError);
    const cut = await readUntilQuiet((await send(request({ stream: true }), "stream-cut")).body!, 1000);
    expect(cut).toMatchObject({ ended: true, events: { length: 2 } });
    expect(() => translate(azureAdapter.createStreamTranslator(ctx), cut.events)).toThrow(VendorProtocolError);
    const silent = await readUntilQuiet((await send(request({ stream: true }), "stream-hang")).body!, 200);
    expect(silent).toMatchObject({ ended: false, events: { length: 2 } });
  });
});
