/**
 * From Claude Opus 4.7 Anthropic's default thinking.display is "omitted": thinking blocks come back with
 * an empty `thinking` and only a signature (Opus 4.6 and earlier default to "summarized"; reported in
 * anthropics/claude-code#49268 and BerriAI/litellm#25965, display on ThinkingConfigAdaptive in
 * Anthropic's SDKs). The client's reasoning_content would be empty and a stream cut during the thinking
 * charged none of the thinking Anthropic bills, so the adapter asks those models for "summarized", and
 * the fake omits the thinking there by default as Anthropic does.
 */
import { expect, test } from "bun:test";
import { readMessagesRequest } from "../../../test/fakes/anthropic-request.ts";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { fakeSignature } from "../../../test/fakes/anthropic-thinking.ts";
import type { ChatRequest } from "../types.ts";
import { toAnthropicBody } from "./request.ts";

const req = (effort: string): ChatRequest => ({ model: "a", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw: { reasoning_effort: effort } });

test("Opus 4.7 and later are asked for summarized thinking; a model that defaults to it is sent no display", () => {
  expect(toAnthropicBody(req("medium"), "claude-opus-4-7").thinking).toEqual({ type: "adaptive", display: "summarized" });
  expect(toAnthropicBody(req("medium"), "claude-sonnet-4-5").thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
});

async function answer(thinking: Record<string, unknown>, stream = false): Promise<string> {
  const fake = await startFakeAnthropic();
  try {
    const response = await fetch(`${fake.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "test-anthropic-key", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "claude-opus-4-7", max_tokens: 4096, thinking, output_config: { effort: "low" }, stream, messages: [{ role: "user", content: "hi" }] }),
    });
    return await response.text();
  } finally {
    fake.stop();
  }
}

test("the fake Anthropic omits Opus 4.7's thinking by default, unstreamed and streamed, and shows it when asked for summarized", async () => {
  const omitted = JSON.parse(await answer({ type: "adaptive" }));
  expect(omitted.content[0]).toEqual({ type: "thinking", thinking: "", signature: expect.stringMatching(/^fakesig_/) });
  expect(await answer({ type: "adaptive" }, true)).not.toContain("thinking_delta");
  const shown = JSON.parse(await answer({ type: "adaptive", display: "summarized" }));
  expect(shown.content[0].thinking).not.toBe("");
  expect(await answer({ type: "adaptive", display: "summarized" }, true)).toContain("thinking_delta");
  expect(JSON.parse(await answer({ type: "adaptive", display: "full" })).error.message).toBe("thinking.adaptive.display: Input should be 'summarized' or 'omitted'");
});

test("the fake Anthropic takes an omitted block back, empty thinking and its signature", () => {
  const thought = "The user wrote \"hi\". Echo it back.";
  const read = readMessagesRequest({
    model: "claude-opus-4-7",
    max_tokens: 4096,
    thinking: { type: "adaptive" },
    output_config: { effort: "low" },
    messages: [
      { role: "user", content: "hi" },
      { role: "assistant", content: [{ type: "thinking", thinking: "", signature: fakeSignature(thought) }, { type: "text", text: "Echo: hi" }] },
      { role: "user", content: "again" },
    ],
  });
  expect(typeof read === "string" ? read : "accepted").toBe("accepted");
});
