/**
 * The fake Anthropic takes extended thinking as Anthropic documents it and refuses, in Anthropic's
 * words, what Anthropic refuses beside it (anthropic-thinking.ts); its thinking answers have the shapes
 * of the documented ones (test/fixtures/anthropic/stream-thinking.sse, message-thinking.json).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { fixtureJson, fixtureText, sseEvents } from "../fixtures/replay.ts";
import { startFakeAnthropic } from "./anthropic.ts";
import type { FakeVendor } from "./fake-server.ts";

let fake: FakeVendor;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.stop());

async function post(body: Record<string, unknown>): Promise<{ status: number; json: any }> {
  const response = await fetch(`${fake.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "test-anthropic-key", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 4096, messages: [{ role: "user", content: "hi" }], ...body }),
  });
  return { status: response.status, json: await response.json() };
}
const thinking = { type: "enabled", budget_tokens: 1024 };
const messageOf = async (body: Record<string, unknown>) => {
  const { status, json } = await post(body);
  return status === 200 ? null : (json.error.message as string);
};

test("a budget below 1024, or not below max_tokens, is refused", async () => {
  expect(await messageOf({ thinking: { type: "enabled", budget_tokens: 1000 } })).toBe("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
  expect(await messageOf({ thinking, max_tokens: 1024 })).toStartWith("`max_tokens` must be greater than `thinking.budget_tokens`.");
  expect(await messageOf({ thinking, max_tokens: 1025 })).toBeNull();
});

test("temperature other than 1, top_k, top_p below 0.95 and a forced tool_choice are refused beside thinking", async () => {
  const tools = [{ name: "w", input_schema: { type: "object" } }];
  expect(await messageOf({ thinking, temperature: 0.5 })).toStartWith("`temperature` may only be set to 1 when thinking is enabled.");
  expect(await messageOf({ thinking, temperature: 1 })).toBeNull();
  expect(await messageOf({ thinking, top_k: 5 })).toStartWith("`top_k` must be unset when thinking is enabled.");
  expect(await messageOf({ thinking, top_p: 0.9 })).toStartWith("`top_p` must be greater than or equal to 0.95");
  expect(await messageOf({ thinking, top_p: 0.95 })).toBeNull();
  expect(await messageOf({ thinking, tools, tool_choice: { type: "any" } })).toBe("Thinking may not be enabled when tool_choice forces tool use.");
  expect(await messageOf({ thinking, tools, tool_choice: { type: "auto" } })).toBeNull();
  // Without thinking all of them are taken.
  expect(await messageOf({ temperature: 0.5, top_k: 5, tools, tool_choice: { type: "any" } })).toBeNull();
});

test("a tool loop's first assistant message, or a prefill, must start with a thinking block", async () => {
  const tools = [{ name: "w", input_schema: { type: "object" } }];
  const toolTurn = [
    { role: "user", content: "weather?" },
    { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "w", input: {} }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "sunny" }] },
  ];
  expect(await messageOf({ thinking, tools, messages: toolTurn })).toStartWith("messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`.");
  expect(await messageOf({ tools, messages: toolTurn })).toBeNull();
  expect(await messageOf({ thinking, messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "Well" }] })).toStartWith("messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `text`.");
});

test("a streamed thinking answer follows the documented event sequence, and the unstreamed one the documented block shapes", async () => {
  /** Each event as its type, and the type of the block it starts or of the delta it carries. */
  const shape = (text: string) =>
    sseEvents(new TextEncoder().encode(text))
      .map((e) => JSON.parse(e.data) as { type: string; content_block?: { type: string }; delta?: { type?: string } })
      .filter((d) => d.type !== "ping")
      .map((d) => [d.type, d.content_block?.type ?? d.delta?.type ?? null]);
  const response = await fetch(`${fake.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "test-anthropic-key", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 4096, thinking, stream: true, messages: [{ role: "user", content: "hi" }] }),
  });
  const documented = shape(await fixtureText("anthropic", "stream-thinking.sse"));
  const collapse = (s: unknown[][]) => s.filter((e, i) => JSON.stringify(e) !== JSON.stringify(s[i - 1]));
  // Runs of thinking_delta or text_delta differ in length: the order of kinds is the same.
  expect(collapse(shape(await response.text()))).toEqual(collapse(documented));
  const documentedMessage = (await fixtureJson("anthropic", "message-thinking.json")) as { content: Record<string, unknown>[] };
  const { json } = await post({ thinking, model: "claude-sonnet-4-5-redacted" });
  expect(json.content.map((b: Record<string, unknown>) => Object.keys(b).sort())).toEqual(documentedMessage.content.map((b) => Object.keys(b).sort()));
});

test("Opus 4.7 and later refuse a budget and take adaptive thinking; models before 4.6 refuse adaptive", async () => {
  const adaptive = { thinking: { type: "adaptive" }, output_config: { effort: "high" } };
  expect(await messageOf({ model: "claude-opus-4-7", thinking })).toStartWith("thinking.type.enabled is not supported for this model.");
  expect(await messageOf({ model: "claude-opus-4-7", ...adaptive })).toBeNull();
  expect(await messageOf({ model: "claude-sonnet-4-6", ...adaptive })).toBeNull();
  expect(await messageOf({ model: "claude-sonnet-4-5", ...adaptive })).toBe("thinking.type.adaptive is not supported for this model.");
  expect(await messageOf({ model: "claude-opus-4-7", thinking: { type: "adaptive" }, output_config: { effort: "minimal" } })).toStartWith("output_config.effort:");
  // Adaptive thinking may skip a turn's thinking: a final tool-calling turn without a block is taken.
  const tools = [{ name: "w", input_schema: { type: "object" } }];
  const toolTurn = [
    { role: "user", content: "weather?" },
    { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "w", input: {} }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "sunny" }] },
  ];
  expect(await messageOf({ model: "claude-opus-4-7", ...adaptive, tools, messages: toolTurn })).toBeNull();
});

test("output_config.effort xhigh is taken on Opus 4.7 and later only, as Anthropic's effort docs list it", async () => {
  const adaptive = (model: string) => ({ model, thinking: { type: "adaptive" }, output_config: { effort: "xhigh" } });
  expect(await messageOf(adaptive("claude-opus-4-7"))).toBeNull();
  expect(await messageOf(adaptive("claude-opus-4-6"))).toBe("output_config.effort: Input should be 'low', 'medium', 'high' or 'max'");
});
