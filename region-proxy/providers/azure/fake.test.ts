/**
 * End to end against the fake Azure OpenAI: buildRequest → fetch (here, in the test) →
 * parseResponse, or SseParser + the stream translator; and classifyError on the fake's errors.
 */
import { describe, expect, test } from "bun:test";
import { adapterAgainstFake, adapterFaultTests, adapterStreamErrorTests, translateUntilThrow } from "../../../test/fakes/adapter-against-fake.ts";
import { startFakeAzure } from "../../../test/fakes/azure.ts";
import { assemble } from "../../../test/fixtures/replay.ts";
import type { ChatRequest, ResponseContext } from "../types.ts";
import { VendorStreamError } from "../vendor-stream-error.ts";
import { azureAdapter } from "./adapter.ts";

const ctx: ResponseContext = { completionId: "chatcmpl-aze2e", created: 1, model: "gpt4o-prod", includeUsage: true };
const vendor = adapterAgainstFake({
  adapter: azureAdapter,
  start: startFakeAzure,
  key: "az-fake",
  target: (baseUrl, deployment = "gpt4o-prod") => ({ id: "dep_z", provider: "azure", baseUrl, model: deployment, region: "eu", credentialRef: "env:Z" }),
  ctx,
  // The Azure adapter sends the client's raw body on, so a streamed request says so there too.
  streamed: (req) => ({ ...req, stream: true, raw: { ...req.raw, stream: true } }),
});
const { send, stream } = vendor;
function request(fields: Partial<ChatRequest> = {}, raw: Record<string, unknown> = {}): ChatRequest {
  const messages = fields.messages ?? [{ role: "user" as const, content: "hello azure" }];
  return { model: "alias", messages, stream: false, includeUsage: true, ...fields, raw: { model: "alias", messages, ...raw, ...(fields.stream ? { stream: true } : {}) } };
}

describe("azure adapter against the fake", () => {
  test("unstreamed and streamed answers agree, and the vendor saw Azure's wire format", async () => {
    const fake = vendor.fake();
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

  test("a stream the asynchronous filter blocks after its content ends with finish_reason content_filter", async () => {
    const streamed = await stream(request(), "async-filter-blocked");
    expect(assemble(streamed.chunks)).toMatchObject({ content: "Echo: hello azure", finishReason: "content_filter" });
    expect(streamed.chunks.every((c) => c.model === "gpt-4o-2024-11-20" && c.created === 1772304649)).toBe(true);
  });

  adapterFaultTests(vendor, {
    adapter: azureAdapter,
    ctx,
    request: () => request(),
    overloadedStatus: 503,
    moreErrors: [["content-filter", false, "content_filter"]],
    wrongKeyStatus: 401,
    wrongKeyUnsaid: ["subscription key"],
  });

  // Azure streams OpenAI's wire format: an error is a `data: {"error": {...}}` event, then [DONE].
  adapterStreamErrorTests(vendor, {
    adapter: azureAdapter,
    ctx,
    request: () => request(),
    eventName: null,
    overloaded: { data: { error: { message: "The server experienced an error while processing your request. We apologize for the inconvenience!", type: "server_error", param: null, code: null } }, reason: "status_500" },
    invalid: { data: { error: { message: "Invalid value for 'temperature': must be at most 2.", type: "invalid_request_error", param: "temperature", code: "invalid_value" } }, message: "Invalid value for 'temperature': must be at most 2." },
  });

  test("stream-error-content-filter: the content filter's 400 error as an event before any content, a content_filter verdict, as over HTTP", async () => {
    const events = await vendor.streamEvents(request(), "stream-error-content-filter");
    expect(events.map((e) => e.data)).toEqual([expect.stringContaining('"code":"content_filter"'), "[DONE]"]);
    expect(JSON.parse(events[0]!.data).error).toMatchObject({ code: "content_filter", param: "prompt", status: 400, innererror: { code: "ResponsibleAIPolicyViolation" } });
    const { chunks, thrown } = translateUntilThrow(azureAdapter.createStreamTranslator(ctx), events);
    expect(assemble(chunks).content).toBe("");
    expect(thrown).toBeInstanceOf(VendorStreamError);
    expect((thrown as VendorStreamError).vendorError).toMatchObject({ retryable: false, reason: "content_filter" });
    const res = await send(request(), "stream-error-content-filter");
    expect(azureAdapter.classifyError(res.status, res.headers, await res.text())).toMatchObject({ retryable: false, reason: "content_filter" });
  });
});
