/**
 * A vendor's context-length refusal in its own words, relabelled `context_length_exceeded` by the
 * gateway, as an application written against OpenAI reads it through the official SDK: worded as
 * OpenAI words it ("This model's maximum context length is N tokens. However, ..."), since clients
 * recognise it by those words, not only by the code. LiteLLM's check (below, verbatim) raises
 * ContextWindowExceededError, which its context_window_fallbacks need, only on such words; Node
 * frameworks see only `err.message`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BadRequestError } from "openai";
import { startFakeAnthropic } from "../../test/fakes/anthropic.ts";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import { startVendorBehindProxy, type VendorBehindProxy } from "../testing/vendor-behind-proxy.ts";

/** LiteLLM's ExceptionCheckers.is_error_str_context_window_exceeded (litellm_core_utils/exception_mapping_utils.py). */
function litellmContextWindow(errorStr: string): boolean {
  const s = errorStr.toLowerCase();
  return [
    "exceed context limit", "this model's maximum context length is", "string too long. expected a string with maximum length", "model's maximum context limit",
    "is longer than the model's context length", "input tokens exceed the configured limit", "`inputs` tokens + `max_new_tokens` must be",
    "exceeds the available context size", "exceeds the maximum number of tokens allowed",
  ].some((sub) => s.includes(sub)) || (s.includes("current length is") && s.includes("while limit is")) || (s.includes("maximum input length is") && s.includes("tokens"));
}
/** What the Python SDK's str(e) is for an APIStatusError, LiteLLM's error_str: "Error code: 400 - {body}". */
const pythonErrorStr = (e: BadRequestError) => `Error code: ${e.status} - ${JSON.stringify({ error: e.error })}`;

const messages = [{ role: "user" as const, content: "hi" }];
const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as BadRequestError);

for (const [vendor, start, said] of [
  ["Anthropic", startFakeAnthropic, "This model's maximum context length is 200000 tokens. However, your messages resulted in 205000 tokens. Please reduce the length of the messages."],
  ["Gemini", startFakeGemini, "This model's maximum context length is 1048576 tokens. However, your messages resulted in 1234567 tokens. Please reduce the length of the messages."],
] as const) {
  describe(`${vendor}'s context-length refusal`, () => {
    let vp: VendorBehindProxy;
    beforeAll(async () => { vp = await startVendorBehindProxy({ provider: vendor === "Anthropic" ? "anthropic" : "gemini", start }, { big: "context-length" }); });
    afterAll(() => vp?.stop());

    test("is OpenAI's 400 context_length_exceeded in OpenAI's words, with the vendor's figures", async () => {
      const error = await refusal(vp.client.chat.completions.create({ model: "big", messages }));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error!.error).toEqual({ message: said, type: "invalid_request_error", param: "messages", code: "context_length_exceeded" });
      expect(litellmContextWindow(pythonErrorStr(error!))).toBe(true);
      expect(error!.message).toContain("maximum context length");
    });
  });
}
