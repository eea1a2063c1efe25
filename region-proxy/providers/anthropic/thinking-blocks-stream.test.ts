/**
 * A streamed answer's thinking blocks go out all at once, in order, in one delta, when the answer ends:
 * OpenAI's SDK stream helpers are what many clients build the message they send back from, and neither
 * keeps blocks sent one per delta. The JS helper Object.assigns a delta's unknown fields onto the
 * message, so the last delta's thinking_blocks replace the earlier ones (a thinking block followed by a
 * redacted_thinking block kept only the redacted one); the Python helper (openai-python
 * src/openai/lib/streaming/_deltas.py accumulate_delta) takes a list it has not seen whole, but raises
 * "Expected list delta entry to have an `index` key" on a second list delta without `index`. Anthropic
 * takes a turn's thinking blocks back only as it wrote them ("rebuilding the message or filtering out
 * redacted_thinking blocks triggers a 400 error", Thinking in tool and multi-turn workflows).
 */
import { expect, test } from "bun:test";
import { fakeSignature, REDACTED_DATA } from "../../../test/fakes/anthropic-thinking.ts";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";
import type { ChatCompletionChunk, ResponseContext, SseEvent } from "../types.ts";
import { createAnthropicStreamTranslator } from "./stream.ts";

const ctx: ResponseContext = { completionId: "chatcmpl-test", created: 1700000000, model: "claude-sonnet-4-5", includeUsage: false };

test("every thinking block of the answer, interleaved ones too, goes out once, in order, in the delta before the finish", () => {
  const translator = createAnthropicStreamTranslator(ctx);
  const event = (data: Record<string, unknown>): SseEvent => ({ event: String(data.type), data: JSON.stringify(data), id: null });
  const chunks: ChatCompletionChunk[] = [];
  const send = (data: Record<string, unknown>) => chunks.push(...translator.onEvent(event(data)));
  send({ type: "message_start", message: { usage: { input_tokens: 5, output_tokens: 1 } } });
  send({ type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "" } });
  send({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "First." } });
  send({ type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "s1" } });
  send({ type: "content_block_stop", index: 0 });
  send({ type: "content_block_start", index: 1, content_block: { type: "redacted_thinking", data: "EmwK..." } });
  send({ type: "content_block_stop", index: 1 });
  send({ type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "toolu_1", name: "w", input: {} } });
  send({ type: "content_block_stop", index: 2 });
  send({ type: "content_block_start", index: 3, content_block: { type: "thinking", thinking: "" } });
  send({ type: "content_block_delta", index: 3, delta: { type: "thinking_delta", thinking: "Then." } });
  send({ type: "content_block_delta", index: 3, delta: { type: "signature_delta", signature: "s2" } });
  send({ type: "content_block_stop", index: 3 });
  send({ type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 20 } });
  send({ type: "message_stop" });
  const carrying = chunks.filter((c) => "thinking_blocks" in c.choices[0]!.delta);
  expect(carrying.map((c) => c.choices[0]!.delta.thinking_blocks)).toEqual([
    [
      { type: "thinking", thinking: "First.", signature: "s1" },
      { type: "redacted_thinking", data: "EmwK..." },
      { type: "thinking", thinking: "Then.", signature: "s2" },
    ],
  ]);
  const finishAt = chunks.findIndex((c) => c.choices[0]!.finish_reason !== null);
  expect(chunks.indexOf(carrying[0]!)).toBe(finishAt - 1);
});

const t = useVendorProxy({
  fakes: ["anthropic"],
  configure(s) {
    s.deployments.dep_redacted = fakeDeployment("dep_redacted", "anthropic", t.anthropic.url, "claude-sonnet-4-5-redacted");
    s.aliases.redacted = { name: "redacted", chain: ["dep_redacted"] };
  },
});
const tools = [{ type: "function" as const, function: { name: "lookup", parameters: { type: "object", properties: { echo: { type: "string" } } } } }];
const question = { role: "user" as const, content: "please call tool for Paris" };
const THOUGHT = `The user wrote "${question.content}". Echo it back.`;

test("the openai SDK stream helper's final message carries every thinking block the unstreamed answer carries, and goes back as it came", async () => {
  const client = t.fx.client(t.proxy);
  const both = [{ type: "thinking", thinking: THOUGHT, signature: fakeSignature(THOUGHT) }, { type: "redacted_thinking", data: REDACTED_DATA }];
  const plain = await client.chat.completions.create({ model: "redacted", messages: [question], tools, reasoning_effort: "low" });
  expect((plain.choices[0]!.message as unknown as Record<string, unknown>).thinking_blocks).toEqual(both);
  const final = await client.chat.completions.stream({ model: "redacted", messages: [question], tools, reasoning_effort: "low" }).finalChatCompletion();
  const message = final.choices[0]!.message;
  expect((message as unknown as Record<string, unknown>).thinking_blocks).toEqual(both);
  const call = message.tool_calls![0]!;
  const next = await client.chat.completions.create({
    model: "redacted",
    messages: [question, message as never, { role: "tool", tool_call_id: call.id, content: "sunny" }],
    tools,
    reasoning_effort: "low",
  });
  expect((next.choices[0]!.message as unknown as Record<string, unknown>).thinking_blocks).toEqual([
    { type: "thinking", thinking: 'The user wrote "tool result received". Echo it back.', signature: expect.any(String) },
    { type: "redacted_thinking", data: REDACTED_DATA },
  ]);
});
