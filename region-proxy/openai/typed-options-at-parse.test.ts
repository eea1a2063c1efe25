/**
 * logit_bias, modalities and metadata have OpenAI's shapes (platform.openai.com/docs/api-reference/chat/create):
 * logit_bias an object mapping token ids to a bias from -100 to 100 (OpenAI: "Invalid type for
 * 'logit_bias': expected an object, but got a string instead", "Invalid key in 'logit_bias': AI. You
 * should only be submitting non-negative integers."), modalities an array of "text" and "audio",
 * metadata up to 16 string values, keys up to 64 characters, values up to 512. The translating
 * adapters pass each at its no-op value (refuse-without-equivalent.ts: logit_bias with no keys,
 * modalities that is not an array asking for audio, metadata with no keys), so a mistyped one (5, "",
 * [], "audio") was answered as if not sent. Each is refused while the request is parsed, naming it,
 * before any vendor call; null is no value.
 */
import { describe, expect, test } from "bun:test";
import { useClaudeAndGeminiBehindProxy } from "../providers/testing/claude-and-gemini-behind-proxy.ts";
import { parseChatRequest } from "./parse-request.ts";

const t = useClaudeAndGeminiBehindProxy({ claude: "claude-sonnet-4-5", gemini: "gemini-2.5-flash" }, { claude: ["dep_claude"], gemini: ["dep_gemini"], claude_then_openai: ["dep_claude", "dep_echo1"] });

const messages = [{ role: "user", content: "hello" }];
const LOGIT_BIAS = "Invalid 'logit_bias': expected an object mapping token ids (non-negative integers) to numbers between -100 and 100.";
const MODALITIES = "Invalid 'modalities': expected an array of 'text' and 'audio'.";
const METADATA = "Invalid 'metadata': expected an object of up to 16 string values, keys of at most 64 characters and values of at most 512.";
const CASES: [string, Record<string, unknown>, string, string][] = [
  ["logit_bias 5", { logit_bias: 5 }, "logit_bias", LOGIT_BIAS],
  ["logit_bias ''", { logit_bias: "" }, "logit_bias", LOGIT_BIAS],
  ["logit_bias []", { logit_bias: [] }, "logit_bias", LOGIT_BIAS],
  ["logit_bias keyed by a word", { logit_bias: { hello: 5 } }, "logit_bias", LOGIT_BIAS],
  ["logit_bias 101", { logit_bias: { "50256": 101 } }, "logit_bias", LOGIT_BIAS],
  ["logit_bias '5'", { logit_bias: { "50256": "5" } }, "logit_bias", LOGIT_BIAS],
  ["modalities 'audio'", { modalities: "audio" }, "modalities", MODALITIES],
  ["modalities ['text', 'video']", { modalities: ["text", "video"] }, "modalities", MODALITIES],
  ["metadata []", { metadata: [] }, "metadata", METADATA],
  ["metadata with a number", { metadata: { run: 5 } }, "metadata", METADATA],
];

describe.each(["claude", "gemini", "claude_then_openai"])("%s", (model) => {
  for (const [what, fields, param, message] of CASES) {
    test(`${what}: the gateway's 400 naming ${param}, no vendor called`, async () => {
      const before = [t.fx.vendor.calls(), t.anthropic.calls(), t.gemini.calls()];
      const res = await t.post({ model, messages, ...fields });
      const error = ((await res.json()) as { error?: { type?: string; param?: string; message?: string } }).error;
      expect({ status: res.status, type: error?.type, param: error?.param, message: error?.message }).toEqual({ status: 400, type: "invalid_request_error", param, message });
      expect([t.fx.vendor.calls(), t.anthropic.calls(), t.gemini.calls()]).toEqual(before);
    });
  }
});

test("what OpenAI takes still parses: null, no-op values, token-id maps, text and audio, metadata at its limits", () => {
  const error = (fields: Record<string, unknown>) => {
    const parsed = parseChatRequest({ model: "m", messages, ...fields });
    return parsed.ok ? null : parsed.error;
  };
  expect(error({ logit_bias: null, modalities: null, metadata: null })).toBeNull();
  expect(error({ logit_bias: {}, modalities: ["text"], metadata: {} })).toBeNull();
  expect(error({ logit_bias: { "50256": -100, "1": 100, "0": 2.5 } })).toBeNull();
  expect(error({ modalities: ["text", "audio"] })).toBeNull();
  const sixteen = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`${"k".repeat(62)}${String(i).padStart(2, "0")}`, "v".repeat(512)]));
  expect(error({ metadata: sixteen })).toBeNull();
  expect(error({ metadata: { ...sixteen, one: "more" } })).toMatchObject({ param: "metadata" });
  expect(error({ metadata: { ["k".repeat(65)]: "v" } })).toMatchObject({ param: "metadata" });
  expect(error({ metadata: { k: "v".repeat(513) } })).toMatchObject({ param: "metadata" });
  expect(error({ logit_bias: { "-1": 5 } })).toMatchObject({ param: "logit_bias" });
});
