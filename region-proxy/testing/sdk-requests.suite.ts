/**
 * What every translating adapter (Anthropic, Gemini) must do with requests an OpenAI client may send,
 * read through the official SDK against a vendor's fake behind a real proxy: accept an assistant turn
 * that has tool calls and no content, answer in text the function-calling guide's second call (the
 * history with the call and its result, no tools), and refuse what it cannot honour with a 400 naming
 * the parameter, before any vendor call.
 */
import { expect, test } from "bun:test";
import OpenAI, { APIError } from "openai";
import type { FakeVendor } from "../../test/fakes/fake-server.ts";

export const weatherTool = { type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } };

/** The OpenAI fields neither Anthropic nor Gemini can honour, each with a value that asks for it. */
export const WITHOUT_EQUIVALENT: Record<string, Record<string, unknown>> = {
  functions: { functions: [{ name: "get_weather", parameters: { type: "object" } }] },
  function_call: { function_call: "auto" },
  web_search_options: { web_search_options: {} },
  prediction: { prediction: { type: "content", content: "draft" } },
  service_tier: { service_tier: "flex" },
  verbosity: { verbosity: "low" },
  metadata: { metadata: { team: "x" } },
  store: { store: true },
};

/** The SDK's error for a request the proxy must refuse. */
export async function refused(client: OpenAI, body: OpenAI.ChatCompletionCreateParamsNonStreaming): Promise<APIError> {
  const error = await client.chat.completions.create(body).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

/** Registers the shared tests; `vendor()` is read when they run (after the caller's beforeAll). */
export function testSdkRequests(alias: string, vendor: () => { client: OpenAI; fake: FakeVendor }, cannotHonour: Record<string, Record<string, unknown>>): void {
  test("an assistant message with tool_calls and no content key is accepted", async () => {
    const call = { id: "call_1", type: "function" as const, function: { name: "get_weather", arguments: '{"city":"Paris"}' } };
    const data = await vendor().client.chat.completions.create({
      model: alias,
      messages: [{ role: "user", content: "weather?" }, { role: "assistant", tool_calls: [call] }, { role: "tool", tool_call_id: "call_1", content: "18C" }],
      tools: [weatherTool],
    });
    expect(data.choices[0]!.message.role).toBe("assistant");
  });

  // OpenAI's function-calling guide sends its second call without `tools`, and OpenAI answers it;
  // Anthropic refuses tool_use/tool_result blocks in a request that defines no tools.
  test("the history of a tool call and its result, sent without tools, is answered in text", async () => {
    const { client } = vendor();
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "call tool for Paris" }];
    const first = await client.chat.completions.create({ model: alias, messages, tools: [weatherTool] });
    const call = first.choices[0]!.message.tool_calls![0]!;
    messages.push(first.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: '{"temp": 21}' });
    const second = await client.chat.completions.create({ model: alias, messages });
    expect(second.choices[0]!.message.tool_calls ?? []).toEqual([]);
    expect(second.choices[0]!.message.content).toContain("tool result received");
    expect(second.choices[0]!.finish_reason).toBe("stop");
  });

  for (const [param, fields] of Object.entries(cannotHonour)) {
    test(`${param} is a 400 naming it, without a vendor call`, async () => {
      const { client, fake } = vendor();
      const before = fake.calls();
      const error = await refused(client, { model: alias, messages: [{ role: "user", content: "hi" }], ...fields } as OpenAI.ChatCompletionCreateParamsNonStreaming);
      expect(error.status).toBe(400);
      expect(error.param).toBe(param);
      expect(fake.calls()).toBe(before);
    });
  }
}
