/**
 * End to end against the fake Gemini: buildRequest → fetch (here, in the test) → parseResponse, or
 * SseParser + the stream translator; and classifyError on the fake's real error answers.
 */
import { describe, expect, test } from "bun:test";
import { adapterAgainstFake, adapterFaultTests, systemAndUser } from "../../../test/fakes/adapter-against-fake.ts";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import { assemble } from "../../../test/fixtures/replay.ts";
import type { ChatRequest, ResponseContext } from "../types.ts";
import { geminiAdapter } from "./adapter.ts";

const ctx: ResponseContext = { completionId: "chatcmpl-ge2e", created: 1, model: "gemini-fake", includeUsage: true };
const vendor = adapterAgainstFake({
  adapter: geminiAdapter,
  start: startFakeGemini,
  key: "AIza-fake",
  target: (baseUrl, model = "gemini-fake") => ({ id: "dep_g", provider: "gemini", baseUrl, model, region: "eu", credentialRef: "env:G" }),
  ctx,
});
const { send, stream } = vendor;
const request = systemAndUser("hello there friend");

async function complete(req: ChatRequest, model?: string) {
  const res = await send(req, model);
  expect(res.status).toBe(200);
  return geminiAdapter.parseResponse(await res.json(), ctx);
}

describe("gemini adapter against the fake", () => {
  test("unstreamed echo, and what the vendor saw", async () => {
    const fake = vendor.fake();
    const before = fake.calls();
    const { completion, usage } = await complete(request());
    expect(completion.choices[0]).toMatchObject({ message: { content: "Echo: hello there friend" }, finish_reason: "stop" });
    expect(usage.outputTokens).toBe(4);
    expect(fake.calls()).toBe(before + 1);
    const seen = fake.lastRequest()!;
    expect(seen.path).toBe("/v1beta/models/gemini-fake:generateContent");
    expect(seen.headers["x-goog-api-key"]).toBe("AIza-fake");
    expect(seen.body).toMatchObject({ systemInstruction: { parts: [{ text: "You echo." }] }, contents: [{ role: "user", parts: [{ text: "hello there friend" }] }] });
  });

  test("streamed and unstreamed answers agree on content and usage (thinking and cache included)", async () => {
    for (const model of ["gemini-fake", "gemini-thinking-cached"]) {
      const plain = await complete(request(), model);
      const streamed = await stream(request(), model);
      expect(vendor.fake().lastRequest()?.path).toBe(`/v1beta/models/${model}:streamGenerateContent?alt=sse`);
      expect(assemble(streamed.chunks).content).toBe(plain.completion.choices[0]!.message.content!);
      expect(streamed.usage).toEqual(plain.usage);
    }
    const thinking = await complete(request(), "gemini-thinking-cached");
    expect(thinking.usage).toMatchObject({ reasoningTokens: 13, cachedInputTokens: 4, outputTokens: 4 + 13 });
  });

  test("function calls, streamed and not, then the tool result round trip", async () => {
    const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { echo: { type: "string" } } } } }];
    const req = request({ messages: [{ role: "user", content: "please call tool" }], tools });
    const plain = (await complete(req)).completion;
    expect(plain.choices[0]?.finish_reason).toBe("tool_calls");
    const call = plain.choices[0]!.message.tool_calls![0]!;
    expect(call.function).toEqual({ name: "lookup", arguments: '{"echo":"please call tool"}' });
    const streamed = assemble((await stream(req)).chunks);
    expect(streamed.finishReason).toBe("tool_calls");
    expect(streamed.toolCalls).toEqual([{ id: "call_ge2e_0", name: "lookup", arguments: '{"echo":"please call tool"}' }]);
    // gemini-3 models refuse a replayed call without a thought signature; the adapter supplies one.
    const followUp = await complete(request({ messages: [{ role: "user", content: "please call tool" }, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: call.id, content: "42" }], tools }), "gemini-3-fake");
    expect(followUp.completion.choices[0]?.message.content).toBe("Echo: tool result received");
    const unsigned = await fetch(`${vendor.fake().url}/v1beta/models/gemini-3-fake:generateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": "AIza-fake", "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "x" }] }, { role: "model", parts: [{ functionCall: { name: "lookup", args: {} } }] }, { role: "user", parts: [{ functionResponse: { name: "lookup", response: {} } }] }] }),
    });
    expect(unsigned.status).toBe(400);
  });

  test("JSON mode, stop sequences and max tokens", async () => {
    const json = (await complete(request({ response_format: { type: "json_object" } }))).completion;
    expect(JSON.parse(json.choices[0]!.message.content!)).toEqual({ echo: "hello there friend" });
    const stopped = (await complete(request({ stop: "there" }))).completion;
    expect(stopped.choices[0]).toMatchObject({ message: { content: "Echo: hello " }, finish_reason: "stop" });
    const cut = (await complete(request({ max_completion_tokens: 2 }))).completion;
    expect(cut.choices[0]).toMatchObject({ message: { content: "Echo: hello" }, finish_reason: "length" });
  });

  test("a blocked prompt is content_filter in both modes", async () => {
    expect((await complete(request(), "safety")).completion.choices[0]?.finish_reason).toBe("content_filter");
    expect(assemble((await stream(request(), "safety")).chunks).finishReason).toBe("content_filter");
  });

  adapterFaultTests(vendor, {
    adapter: geminiAdapter,
    ctx,
    request,
    overloadedStatus: 503,
    wrongKeyStatus: 400,
    wrongKeyUnsaid: ["API key not valid"],
  });
});
