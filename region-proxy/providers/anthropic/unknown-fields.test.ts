/**
 * Top-level request fields the Anthropic translation has no rule for, through a real proxy to the fake
 * Anthropic, read through the official SDK: a field it neither translates, refuses nor knows to be a
 * no-op is a 400 naming it before any vendor call (never silently dropped); safety_identifier, OpenAI's
 * successor to `user`, becomes metadata.user_id; prompt_cache_key, a caching hint, is accepted.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let vendor: VendorBehindProxy;

beforeAll(async () => {
  vendor = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" });
});
afterAll(() => vendor.stop());

const hi = [{ role: "user" as const, content: "hi" }];

/** The param of the 400 the proxy answered with (no vendor call), or the body the fake received. */
const send = (fields: Record<string, unknown>) => sendChat(vendor, { model: "claude", messages: hi, ...fields });

describe("anthropic: top-level fields without a rule", () => {
  test("top_k (Anthropic's own sampling field, not OpenAI's) is a 400 naming it, not dropped", async () => {
    expect((await send({ top_k: 5 })).param).toBe("top_k");
  });

  test("any field the translation does not know is a 400 naming it", async () => {
    expect((await send({ some_future_option: { on: true } })).param).toBe("some_future_option");
  });

  test("prompt_cache_key and prompt_cache_retention (caching hints) are accepted and not forwarded", async () => {
    const { refused, sent } = await send({ prompt_cache_key: "conversation-7", prompt_cache_retention: "24h" });
    expect(refused).toBe(false);
    expect(JSON.stringify(sent)).not.toContain("conversation-7");
    expect(JSON.stringify(sent)).not.toContain("24h");
  });

  test("every field it handles, at its no-op value, passes", async () => {
    const { refused, sent } = await send({
      stream: false,
      stream_options: null,
      max_tokens: 50,
      max_completion_tokens: 40,
      temperature: 0.5,
      top_p: 1,
      stop: ["END"],
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } }],
      tool_choice: "auto",
      parallel_tool_calls: true,
      response_format: { type: "text" },
      user: "u1",
      metadata: {},
      service_tier: "auto",
      presence_penalty: 0,
      frequency_penalty: 0,
      seed: null,
      n: 1,
      logprobs: false,
      top_logprobs: null,
      logit_bias: {},
      audio: null,
      modalities: ["text"],
      reasoning_effort: null,
      functions: null,
      function_call: null,
      web_search_options: null,
      prediction: null,
      verbosity: "medium",
      store: false,
      prompt_cache_key: "k",
    });
    expect(refused).toBe(false);
    expect(sent.max_tokens).toBe(40);
  });
});

describe("anthropic: safety_identifier", () => {
  test("becomes metadata.user_id, as user does", async () => {
    expect((await send({ safety_identifier: "end-user-42" })).sent.metadata).toEqual({ user_id: "end-user-42" });
  });

  test("with user also set, safety_identifier (its documented replacement) wins", async () => {
    expect((await send({ user: "old-id", safety_identifier: "new-id" })).sent.metadata).toEqual({ user_id: "new-id" });
  });

  test("an empty safety_identifier leaves user in place", async () => {
    expect((await send({ user: "old-id", safety_identifier: "" })).sent.metadata).toEqual({ user_id: "old-id" });
  });

  test("a safety_identifier that is not a string is a 400 naming it", async () => {
    expect((await send({ safety_identifier: 42 })).param).toBe("safety_identifier");
  });
});
