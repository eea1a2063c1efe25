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
