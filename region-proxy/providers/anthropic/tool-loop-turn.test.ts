/**
 * A tool loop is one assistant turn (Anthropic, "Thinking in tool and multi-turn workflows": "a
 * tool-use loop is one assistant turn, so change the configuration only between turns"), and it is the
 * turn's first assistant message that must start with a thinking block. In the extended-thinking
 * guide's "tool use without interleaved thinking" example the second response is a bare tool_use and the
 * third request keeps thinking on. So whether thinking goes out is read from the turn's first assistant
 * message, not the last: both by the adapter (thinking.ts unthinkingToolTurn) and by the fake Anthropic.
 */
import { expect, test } from "bun:test";
import { readMessagesRequest } from "../../../test/fakes/anthropic-request.ts";
import { fakeSignature } from "../../../test/fakes/anthropic-thinking.ts";
import type { ChatRequest } from "../types.ts";
import { toAnthropicBody } from "./request.ts";

const THOUGHT = "I need 150*50, then the database.";
const SIGNED = { type: "thinking", thinking: THOUGHT, signature: fakeSignature(THOUGHT) };
const calc = { id: "toolu_1", type: "function" as const, function: { name: "calculator", arguments: '{"expression":"150 * 50"}' } };
const db = { id: "toolu_2", type: "function" as const, function: { name: "database_query", arguments: '{"query":"SELECT AVG(revenue)"}' } };
const tools = [calc, db].map((c) => ({ type: "function", function: { name: c.function.name, parameters: { type: "object" } } }));
const question = { role: "user" as const, content: "Total revenue for 150 units at $50, vs our monthly average?" };
const loop = (first: Record<string, unknown>, second: Record<string, unknown>): ChatRequest["messages"] =>
  [
    question,
    { role: "assistant", content: null, tool_calls: [calc], ...first },
    { role: "tool", tool_call_id: "toolu_1", content: "7500" },
    { role: "assistant", content: null, tool_calls: [db], ...second },
    { role: "tool", tool_call_id: "toolu_2", content: "5200" },
  ] as ChatRequest["messages"];
const body = (messages: ChatRequest["messages"], model = "claude-sonnet-4-5") =>
  toAnthropicBody({ model: "a", messages, tools, stream: false, includeUsage: false, raw: { reasoning_effort: "low" } }, model);
type Turn = { role: string; content: { type: string }[] };

test("the third request of a two-step loop whose second step has no thinking block keeps thinking on and the first step's signed block", () => {
  const sent = body(loop({ thinking_blocks: [SIGNED] }, {}));
  expect((sent.messages as Turn[])[1]!.content[0]).toEqual(SIGNED);
  expect(sent.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
});

test("a loop whose first step has no thinking block is sent without thinking (and without the later step's block), as before", () => {
  const sent = body(loop({}, { thinking_blocks: [SIGNED] }));
  expect("thinking" in sent).toBe(false);
  expect((sent.messages as Turn[]).flatMap((t) => t.content.map((b) => b.type))).not.toContain("thinking");
});

test("a new user question starts a new turn: an earlier loop without thinking does not hold it back", () => {
  const messages = [...loop({}, {}), { role: "assistant", content: "7500, above the 5200 average." }, { role: "user", content: "And for 200 units?" }] as ChatRequest["messages"];
  expect(body(messages).thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
});

const anthropicLoop = (first: unknown[], second: unknown[]) => ({
  model: "claude-sonnet-4-5",
  max_tokens: 2048,
  thinking: { type: "enabled", budget_tokens: 1024 },
  tools: tools.map((t) => ({ name: t.function.name, input_schema: { type: "object" } })),
  messages: [
    { role: "user", content: "Total revenue?" },
    { role: "assistant", content: [...first, { type: "tool_use", id: "toolu_1", name: "calculator", input: {} }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "7500" }] },
    { role: "assistant", content: [...second, { type: "tool_use", id: "toolu_2", name: "database_query", input: {} }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_2", content: "5200" }] },
  ],
});
const outcome = (read: unknown) => (typeof read === "string" ? read : "accepted");

test("the fake Anthropic takes the documented third request: its turn starts with thinking", () => {
  expect(outcome(readMessagesRequest(anthropicLoop([SIGNED], [])))).toBe("accepted");
});

test("the fake Anthropic refuses a loop whose first step has no thinking block, naming that step", () => {
  expect(outcome(readMessagesRequest(anthropicLoop([], [SIGNED])))).toStartWith("messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`.");
});
