/**
 * End to end against the fake Anthropic: buildRequest → fetch (here, in the test) → parseResponse, or
 * SseParser + the stream translator; and classifyError on the fake's real error answers.
 */
import { describe, expect, test } from "bun:test";
import { adapterAgainstFake, adapterFaultTests, adapterStreamErrorTests, systemAndUser } from "../../../test/fakes/adapter-against-fake.ts";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { assemble } from "../../../test/fixtures/replay.ts";
import { readSseBatches } from "../sse-reader.ts";
import type { ChatMessage, ResponseContext, SseEvent } from "../types.ts";
import { anthropicAdapter } from "./adapter.ts";

const ctx: ResponseContext = { completionId: "chatcmpl-e2e", created: 1, model: "claude-fake", includeUsage: true };
const vendor = adapterAgainstFake({
  adapter: anthropicAdapter,
  start: startFakeAnthropic,
  key: "sk-ant-fake",
  target: (baseUrl, model = "claude-fake") => ({ id: "dep_a", provider: "anthropic", baseUrl, model, region: "us", credentialRef: "env:K" }),
  ctx,
});
const { send, stream } = vendor;
const request = systemAndUser("hello there");

describe("anthropic adapter against the fake", () => {
  test("unstreamed echo, with the request the vendor saw", async () => {
    const fake = vendor.fake();
    const before = fake.calls();
    const res = await send(request());
    expect(res.status).toBe(200);
    const { completion, usage } = anthropicAdapter.parseResponse(await res.json(), ctx);
    expect(completion.choices[0]?.message.content).toBe("Echo: hello there");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBe(3);
    expect(fake.calls()).toBe(before + 1);
    const seen = fake.lastRequest()!;
    expect(seen.path).toBe("/v1/messages");
    expect(seen.headers["x-api-key"]).toBe("sk-ant-fake");
    expect(seen.body).toMatchObject({ model: "claude-fake", system: [{ type: "text", text: "You echo." }], max_tokens: 4096 });
  });

  test("streamed and unstreamed answers agree on content and usage", async () => {
    const req = request({ messages: [{ role: "user", content: "one two three four" }] });
    const plain = anthropicAdapter.parseResponse(await (await send(req)).json(), ctx);
    const streamed = await stream(req);
    expect(assemble(streamed.chunks).content).toBe(plain.completion.choices[0]!.message.content!);
    expect(streamed.usage).toEqual(plain.usage);
    expect(streamed.chunks.at(-1)?.usage?.completion_tokens).toBe(plain.usage.outputTokens);
  });

  test("prompt-cache usage survives both paths", async () => {
    const plain = anthropicAdapter.parseResponse(await (await send(request(), "claude-cached")).json(), ctx);
    const streamed = await stream(request(), "claude-cached");
    expect(plain.usage).toMatchObject({ cachedInputTokens: 11, cacheWriteTokens: 7 });
    expect(streamed.usage).toEqual(plain.usage);
  });

  test("a tool call, streamed and not", async () => {
    const req = request({
      messages: [{ role: "user", content: "please call tool now" }],
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { echo: { type: "string" } } } } }],
    });
    const plain = anthropicAdapter.parseResponse(await (await send(req)).json(), ctx).completion;
    expect(plain.choices[0]?.finish_reason).toBe("tool_calls");
    expect(plain.choices[0]?.message.tool_calls?.[0]?.function).toEqual({ name: "lookup", arguments: '{"echo":"please call tool now"}' });
    const streamed = assemble((await stream(req)).chunks);
    expect(streamed.finishReason).toBe("tool_calls");
    expect(streamed.toolCalls).toEqual([{ id: "toolu_fake01", name: "lookup", arguments: '{"echo":"please call tool now"}' }]);
  });

  test("response_format json_schema comes back as JSON content", async () => {
    const req = request({ response_format: { type: "json_schema", json_schema: { name: "echo", schema: { type: "object" } } } });
    const plain = anthropicAdapter.parseResponse(await (await send(req)).json(), ctx).completion;
    expect(JSON.parse(plain.choices[0]!.message.content!)).toEqual({ echo: "hello there" });
    expect(plain.choices[0]?.finish_reason).toBe("stop");
    const streamed = assemble((await stream(req)).chunks);
    expect(JSON.parse(streamed.content)).toEqual({ echo: "hello there" });
    expect(streamed.finishReason).toBe("stop");
  });

  test("stop sequences and max tokens", async () => {
    const stop = anthropicAdapter.parseResponse(await (await send(request({ stop: ["there"] }))).json(), ctx).completion;
    expect(stop.choices[0]).toMatchObject({ message: { content: "Echo: hello " }, finish_reason: "stop" });
    // The blank before the cut is streamed too: streamed and unstreamed text agree.
    expect(assemble((await stream(request({ stop: ["there"] }))).chunks).content).toBe("Echo: hello ");
    const cut = anthropicAdapter.parseResponse(await (await send(request({ max_tokens: 2 }))).json(), ctx).completion;
    expect(cut.choices[0]).toMatchObject({ message: { content: "Echo: hello" }, finish_reason: "length" });
  });

  test("the fake names the stop sequence that matched, unstreamed and in message_delta", async () => {
    const plain = (await (await send(request({ stop: ["zzz", "there", "hello"] }))).json()) as { stop_reason: string; stop_sequence: string | null };
    expect(plain).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "hello" });
    const res = await send(request({ stop: ["there"], stream: true }));
    const events: SseEvent[] = [];
    for await (const batch of readSseBatches(res.body!)) events.push(...batch);
    const delta = JSON.parse(events.find((e) => e.event === "message_delta")!.data) as { delta: unknown };
    expect(delta.delta).toEqual({ stop_reason: "stop_sequence", stop_sequence: "there" });
    const ended = (await (await send(request())).json()) as { stop_reason: string; stop_sequence: string | null };
    expect(ended).toMatchObject({ stop_reason: "end_turn", stop_sequence: null });
  });

  test("an assistant turn replayed with whitespace next to its tool calls is accepted", async () => {
    const call = { id: "toolu_1", type: "function" as const, function: { name: "weather", arguments: '{"city":"Lyon"}' } };
    const messages: ChatMessage[] = [
      { role: "user", content: "weather in Lyon?" },
      { role: "assistant", content: "\n\n", tool_calls: [call] },
      { role: "tool", tool_call_id: "toolu_1", content: "12C" },
    ];
    const res = await send(request({ messages }));
    expect(res.status).toBe(200);
  });

  test("the fake refuses a tool whose input_schema has no type, as Anthropic does; the adapter's tools always have one", async () => {
    const res = await fetch(`${vendor.fake().url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "sk-ant-fake", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "claude-fake", max_tokens: 5, messages: [{ role: "user", content: "hi" }], tools: [{ name: "mcp", input_schema: { properties: {} } }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: "tools.0.custom.input_schema.type: Field required" } });
    const tools = [
      { type: "function" as const, function: { name: "empty", parameters: {} } },
      { type: "function" as const, function: { name: "mcp", parameters: { properties: { q: { type: "string" } } } } },
    ];
    expect((await send(request({ tools }))).status).toBe(200);
  });

  test("the fake refuses a tool_use id or tool_use_id outside ^[a-zA-Z0-9_-]+$, as Anthropic does; a history from another vendor is accepted", async () => {
    const post = (messages: unknown[]) =>
      fetch(`${vendor.fake().url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "sk-ant-fake", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: "claude-fake", max_tokens: 5, tools: [{ name: "w", input_schema: { type: "object" } }], messages }),
      });
    const use = (id: string) => ({ role: "assistant", content: [{ type: "tool_use", id, name: "w", input: {} }] });
    const result = (id: string) => ({ role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "sunny" }] });
    const refused = await post([{ role: "user", content: "weather?" }, use("call.1"), result("call_1")]);
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.message).toBe("messages.1.content.0.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'");
    const badResult = await post([{ role: "user", content: "weather?" }, use("call_1"), result("call|1")]);
    expect((await badResult.json()).error.message).toBe("messages.2.content.0.tool_result.tool_use_id: String should match pattern '^[a-zA-Z0-9_-]+$'");
    const call = { id: "call_x|fc_y", type: "function" as const, function: { name: "w", arguments: "{}" } };
    const history: ChatMessage[] = [
      { role: "user", content: "weather?" },
      { role: "assistant", content: null, tool_calls: [call] },
      { role: "tool", tool_call_id: call.id, content: "sunny" },
    ];
    expect((await send(request({ messages: history }))).status).toBe(200);
  });

  test("the fake refuses tool_use and tool_result blocks in a request without tools, as Anthropic does; with tools and tool_choice none it answers in text", async () => {
    const post = (extra: Record<string, unknown>) =>
      fetch(`${vendor.fake().url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "sk-ant-fake", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({
          model: "claude-fake",
          max_tokens: 20,
          messages: [
            { role: "user", content: "call tool for Paris" },
            { role: "assistant", content: [{ type: "tool_use", id: "c1", name: "w", input: {} }] },
            { role: "user", content: [{ type: "tool_result", tool_use_id: "c1", content: "sunny" }] },
          ],
          ...extra,
        }),
      });
    for (const extra of [{}, { tools: [] }]) {
      const res = await post(extra);
      expect([res.status, await res.json()]).toEqual([
        400,
        expect.objectContaining({ type: "error", error: { type: "invalid_request_error", message: "Requests which include `tool_use` or `tool_result` blocks must define tools." } }),
      ]);
    }
    const answered = await post({ tools: [{ name: "w", input_schema: { type: "object" } }], tool_choice: { type: "none" } });
    expect(await answered.json()).toMatchObject({ stop_reason: "end_turn", content: [{ type: "text", text: "Echo: tool result received" }] });
  });

  test("the fake refuses a final assistant turn whose text ends in whitespace, as Anthropic does; an earlier one, or one without, is accepted", async () => {
    const post = (messages: unknown[]) =>
      fetch(`${vendor.fake().url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "sk-ant-fake", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: "claude-fake", max_tokens: 5, messages }),
      });
    const refusal = { type: "error", error: { type: "invalid_request_error", message: "messages: final assistant content cannot end with trailing whitespace" } };
    for (const content of ["Sure. ", [{ type: "text", text: "Sure.\n" }], [{ type: "text", text: "One" }, { type: "text", text: "two\t" }]]) {
      const res = await post([{ role: "user", content: "hi" }, { role: "assistant", content }]);
      expect([content, res.status, await res.json()]).toEqual([content, 400, expect.objectContaining(refusal)]);
    }
    expect((await post([{ role: "user", content: "hi" }, { role: "assistant", content: [{ type: "text", text: "Sure." }] }])).status).toBe(200);
    expect((await post([{ role: "user", content: "hi" }, { role: "assistant", content: "Sure. " }, { role: "user", content: "go on" }])).status).toBe(200);
  });

  test("the fake refuses blank tool_result content as it refuses a blank text block; the adapter leaves such content out", async () => {
    const post = (content: unknown) =>
      fetch(`${vendor.fake().url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "sk-ant-fake", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({
          model: "claude-fake",
          max_tokens: 5,
          tools: [{ name: "w", input_schema: { type: "object" } }],
          messages: [
            { role: "user", content: "write it" },
            { role: "assistant", content: [{ type: "tool_use", id: "c1", name: "w", input: {} }] },
            { role: "user", content: [{ type: "tool_result", tool_use_id: "c1", ...(content === undefined ? {} : { content }) }] },
          ],
        }),
      });
    const message = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;
    expect(await message(await post(""))).toBe("messages: text content blocks must be non-empty");
    expect(await message(await post(" \n"))).toBe("messages: text content blocks must contain non-whitespace text");
    expect(await message(await post([{ type: "text", text: "  " }]))).toBe("messages: text content blocks must contain non-whitespace text");
    expect((await post(undefined)).status).toBe(200);
    const call = { id: "c1", type: "function" as const, function: { name: "w", arguments: "{}" } };
    const history: ChatMessage[] = [
      { role: "user", content: "write it" },
      { role: "assistant", content: null, tool_calls: [call] },
      { role: "tool", tool_call_id: "c1", content: "  \n" },
    ];
    expect((await send(request({ messages: history }))).status).toBe(200);
  });

  adapterFaultTests(vendor, {
    adapter: anthropicAdapter,
    ctx,
    request,
    overloadedStatus: 529,
    wrongKeyStatus: 401,
    wrongKeyUnsaid: ["x-api-key"],
  });

  // The overloaded event is the example of Anthropic's streaming docs ("Error events"); a 529 over HTTP.
  adapterStreamErrorTests(vendor, {
    adapter: anthropicAdapter,
    ctx,
    request,
    eventName: "error",
    overloaded: { data: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, reason: "status_529" },
    invalid: { data: { type: "error", error: { type: "invalid_request_error", message: "messages.0.content: Input should be a valid list" } }, message: "messages.0.content: Input should be a valid list" },
  });
});
