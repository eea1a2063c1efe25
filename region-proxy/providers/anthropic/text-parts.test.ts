/**
 * A system, developer or tool message whose content is several text parts had their text joined with
 * "" into one block, so `["You are terse.", "Answer in French."]` reached Claude as "You are
 * terse.Answer in French.": words of adjacent parts ran together. Anthropic takes `system` as a list
 * of text blocks and a tool_result's content as a list of blocks
 * (https://docs.anthropic.com/en/api/messages), as a user message's parts already go: each part is now
 * its own block, so nothing is merged and the vendor reads the parts as parts.
 */
import { expect, test } from "bun:test";
import type { ChatMessage } from "../types.ts";
import { convertMessages } from "./messages.ts";

const call = { id: "call_1", type: "function" as const, function: { name: "lookup", arguments: "{}" } };
const parts = (...texts: string[]) => texts.map((text) => ({ type: "text" as const, text }));

test("system and developer parts become one system block each, in order", () => {
  const { system } = convertMessages([
    { role: "system", content: parts("You are terse.", "Answer in French.") },
    { role: "developer", content: parts("Never guess.", " ") },
    { role: "user", content: "hi" },
  ] as ChatMessage[]);
  expect(system).toEqual([
    { type: "text", text: "You are terse." },
    { type: "text", text: "Answer in French." },
    { type: "text", text: "Never guess." },
  ]);
});

test("a tool message's parts become the tool_result's content blocks; a string stays a string", () => {
  const { messages } = convertMessages([
    { role: "user", content: "look up" },
    { role: "assistant", content: null, tool_calls: [call, { ...call, id: "call_2" }] },
    { role: "tool", tool_call_id: "call_1", content: parts("line one", "line two") },
    { role: "tool", tool_call_id: "call_2", content: "plain" },
  ] as ChatMessage[]);
  expect(messages[2]!.content).toEqual([
    { type: "tool_result", tool_use_id: "call_1", content: [{ type: "text", text: "line one" }, { type: "text", text: "line two" }] },
    { type: "tool_result", tool_use_id: "call_2", content: "plain" },
  ]);
});

test("a system part's cache_control goes on its own block", () => {
  const ephemeral = { type: "ephemeral" };
  const { system } = convertMessages([{ role: "system", content: [{ type: "text", text: "long", cache_control: ephemeral }, { type: "text", text: "short" }] }, { role: "user", content: "hi" }] as ChatMessage[]);
  expect(system).toEqual([{ type: "text", text: "long", cache_control: ephemeral }, { type: "text", text: "short" }]);
});

/**
 * A blank system part sends no block; before the parts were blocks, the message was one block of its
 * joined text and a blank last part's breakpoint marked it. Its cache_control asks to cache up to the
 * end of the text before it, so it goes on the previous block of its message; with none there, the 400.
 */
test("a blank system part's cache_control goes on the block before it in its message, else a 400 naming it", () => {
  const ephemeral = { type: "ephemeral" };
  const systemOf = (content: unknown) => convertMessages([{ role: "system", content }, { role: "user", content: "hi" }] as ChatMessage[]).system;
  expect(systemOf([{ type: "text", text: "Be terse." }, { type: "text", text: "\n", cache_control: ephemeral }])).toEqual([{ type: "text", text: "Be terse.", cache_control: ephemeral }]);
  expect(systemOf([{ type: "text", text: "A" }, { type: "text", text: " ", cache_control: ephemeral }, { type: "text", text: "B" }])).toEqual([
    { type: "text", text: "A", cache_control: ephemeral },
    { type: "text", text: "B" },
  ]);
  let thrown: unknown;
  try {
    convertMessages([{ role: "system", content: "Earlier." }, { role: "developer", content: [{ type: "text", text: " ", cache_control: ephemeral }, { type: "text", text: "B" }] }, { role: "user", content: "hi" }] as ChatMessage[]);
  } catch (error) {
    thrown = error;
  }
  expect((thrown as { param?: string }).param).toBe("messages[1].content[0].cache_control");
});
