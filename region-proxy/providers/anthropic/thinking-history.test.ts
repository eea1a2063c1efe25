/**
 * An assistant message echoed back with the thinking_blocks its answer gave had them refused as an
 * unknown field (messages[i].thinking_blocks), so a client could not continue a tool loop with thinking
 * on, which Anthropic requires: "a final `assistant` message must start with a thinking block". With
 * reasoning_effort the blocks now go first in that assistant turn, exactly as received (Anthropic checks
 * the signature); without thinking they are left out (Anthropic refuses them in a final assistant turn
 * then), and reasoning_content without blocks stays left out as before.
 */
import { expect, test } from "bun:test";
import { anthropicRefusal } from "../../testing/anthropic-refusal.ts";
import type { ChatRequest } from "../types.ts";
import { toAnthropicBody } from "./request.ts";

const call = { id: "toolu_1", type: "function" as const, function: { name: "w", arguments: '{"city":"Paris"}' } };
const tools = [{ type: "function", function: { name: "w", parameters: { type: "object" } } }];
const SIGNED = { type: "thinking", thinking: "I should look up the weather.", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..." };
const REDACTED = { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP..." };
const history = (assistant: Record<string, unknown>): ChatRequest["messages"] =>
  [{ role: "user", content: "Weather in Paris?" }, { role: "assistant", content: null, tool_calls: [call], ...assistant }, { role: "tool", tool_call_id: "toolu_1", content: "18C" }] as ChatRequest["messages"];
const req = (messages: ChatRequest["messages"], effort?: string): ChatRequest => ({ model: "a", messages, tools, stream: false, includeUsage: false, raw: effort ? { reasoning_effort: effort } : {} });
const assistantTurn = (body: Record<string, unknown>) => (body.messages as { role: string; content: unknown[] }[])[1]!;

test("with thinking, the echoed blocks go first in their assistant turn, signature and data as sent, and thinking stays on", () => {
  const body = toAnthropicBody(req(history({ reasoning_content: SIGNED.thinking, thinking_blocks: [SIGNED, REDACTED] }), "low"), "claude-sonnet-4-5");
  expect(assistantTurn(body)).toEqual({ role: "assistant", content: [SIGNED, REDACTED, { type: "tool_use", id: "toolu_1", name: "w", input: { city: "Paris" } }] });
  expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
});

test("without thinking the blocks are left out, and reasoning_content alone is left out either way (thinking then held back for the turn without a block)", () => {
  const off = toAnthropicBody(req(history({ thinking_blocks: [SIGNED] })), "claude-sonnet-4-5");
  expect(assistantTurn(off).content).toEqual([{ type: "tool_use", id: "toolu_1", name: "w", input: { city: "Paris" } }]);
  const unsigned = toAnthropicBody(req(history({ reasoning_content: "I should look it up." }), "low"), "claude-sonnet-4-5");
  expect(assistantTurn(unsigned).content).toEqual([{ type: "tool_use", id: "toolu_1", name: "w", input: { city: "Paris" } }]);
  expect("thinking" in unsigned).toBe(false);
});

test("a block not as an answer gives it is a 400 naming it; null asks for nothing", () => {
  const refused = (thinking_blocks: unknown): string | null => anthropicRefusal(req(history({ thinking_blocks }), "low"), "claude-sonnet-4-5")?.param ?? null;
  expect(refused("thinking")).toBe("messages[1].thinking_blocks");
  expect(refused([SIGNED, { type: "thinking", thinking: "x" }])).toBe("messages[1].thinking_blocks[1]");
  expect(refused([{ ...SIGNED, extra: 1 }])).toBe("messages[1].thinking_blocks[0]");
  expect(refused([{ type: "text", text: "x" }])).toBe("messages[1].thinking_blocks[0]");
  expect(refused([{ ...SIGNED, cache_control: null }])).toBeNull();
  expect(refused(null)).toBeNull();
});
