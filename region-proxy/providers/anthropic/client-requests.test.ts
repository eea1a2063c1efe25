/**
 * Requests an OpenAI client may send, through a real proxy to the fake Anthropic, read through the
 * official SDK: what the translation must accept (200) and what it must refuse (400 naming the param).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { testSdkRequests, WITHOUT_EQUIVALENT } from "../../testing/sdk-requests.suite.ts";
import { startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let fake: FakeVendor;
let client: OpenAI;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, client, stop } = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake", preamble: "claude-preamble" }));
});
afterAll(() => stop());

describe("anthropic through the proxy", () => {
  // reasoning_effort: both translate it (Gemini's thinkingConfig, Claude's extended thinking: reasoning-effort.test.ts).
  testSdkRequests("claude", () => ({ client, fake }), WITHOUT_EQUIVALENT);

  test("with response_format, a text block before the JSON tool is dropped, streamed as unstreamed", async () => {
    const format = { type: "json_schema" as const, json_schema: { name: "echo", schema: { type: "object", properties: { echo: { type: "string" } } } } };
    const messages = [{ role: "user" as const, content: "x" }];
    const unstreamed = await client.chat.completions.create({ model: "preamble", messages, response_format: format });
    expect(unstreamed.choices[0]!.message.content).toBe('{"echo":"x"}');
    const streamed = await client.chat.completions.stream({ model: "preamble", messages, response_format: format }).finalChatCompletion();
    expect(streamed.choices[0]!.message.content).toBe('{"echo":"x"}');
    expect(streamed.choices[0]!.finish_reason).toBe("stop");
  });
});
