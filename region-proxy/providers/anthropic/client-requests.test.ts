/**
 * Requests an OpenAI client may send, through a real proxy to the fake Anthropic, read through the
 * official SDK: what the translation must accept (200) and what it must refuse (400 naming the param).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI, { APIError } from "openai";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let fake: FakeVendor;
let client: OpenAI;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, client, stop } = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake", preamble: "claude-preamble" }));
});
afterAll(() => stop());

/** The SDK's error for a request the proxy must refuse. */
async function refused(body: OpenAI.ChatCompletionCreateParamsNonStreaming): Promise<APIError> {
  const error = await client.chat.completions.create(body).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

const weather = { type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } };

describe("anthropic through the proxy", () => {
  test("an assistant message with tool_calls and no content key is accepted", async () => {
    const call = { id: "call_1", type: "function" as const, function: { name: "get_weather", arguments: '{"city":"Paris"}' } };
    const data = await client.chat.completions.create({
      model: "claude",
      messages: [{ role: "user", content: "weather?" }, { role: "assistant", tool_calls: [call] }, { role: "tool", tool_call_id: "call_1", content: "18C" }],
      tools: [weather],
    });
    expect(data.choices[0]!.message.role).toBe("assistant");
  });

  test("with response_format, a text block before the JSON tool is dropped, streamed as unstreamed", async () => {
    const format = { type: "json_schema" as const, json_schema: { name: "echo", schema: { type: "object", properties: { echo: { type: "string" } } } } };
    const messages = [{ role: "user" as const, content: "x" }];
    const unstreamed = await client.chat.completions.create({ model: "preamble", messages, response_format: format });
    expect(unstreamed.choices[0]!.message.content).toBe('{"echo":"x"}');
    const streamed = await client.chat.completions.stream({ model: "preamble", messages, response_format: format }).finalChatCompletion();
    expect(streamed.choices[0]!.message.content).toBe('{"echo":"x"}');
    expect(streamed.choices[0]!.finish_reason).toBe("stop");
  });

  // OpenAI features with no Anthropic equivalent: a 400 naming the parameter, and no vendor call.
  const cannotHonour: Record<string, Record<string, unknown>> = {
    functions: { functions: [{ name: "get_weather", parameters: { type: "object" } }] },
    function_call: { function_call: "auto" },
    web_search_options: { web_search_options: {} },
    prediction: { prediction: { type: "content", content: "draft" } },
    service_tier: { service_tier: "flex" },
    verbosity: { verbosity: "low" },
    metadata: { metadata: { team: "x" } },
    store: { store: true },
  };
  for (const [param, fields] of Object.entries(cannotHonour)) {
    test(`${param} is a 400 naming it, without a vendor call`, async () => {
      const before = fake.calls();
      const error = await refused({ model: "claude", messages: [{ role: "user", content: "hi" }], ...fields } as OpenAI.ChatCompletionCreateParamsNonStreaming);
      expect(error.status).toBe(400);
      expect(error.param).toBe(param);
      expect(fake.calls()).toBe(before);
    });
  }
});
