/**
 * A system, developer or tool message whose content is several text parts had their text joined with
 * "", so `["You are terse.", "Answer in French."]` reached Gemini as "You are terse.Answer in French.":
 * words of adjacent parts ran together. Gemini's systemInstruction is a Content of several parts
 * (https://ai.google.dev/api/generate-content), so each part is now its own part there; a
 * functionResponse's `response` is one Struct, so a tool message's parts are joined with a line break,
 * which keeps them apart; parts that together are a JSON object or array are joined as they are, since
 * a line break inside a string token would change or break the document.
 */
import { expect, test } from "bun:test";
import type { ChatMessage } from "../types.ts";
import { convertMessages } from "./messages.ts";

const call = { id: "call_1", type: "function" as const, function: { name: "lookup", arguments: "{}" } };
const parts = (...texts: string[]) => texts.map((text) => ({ type: "text" as const, text }));
/** The part a tool message of `content` answering `call` becomes. */
const toolTurn = (content: unknown) =>
  convertMessages([{ role: "user", content: "look up" }, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: "call_1", content }] as ChatMessage[]).contents[2]!.parts[0];

test("system and developer parts become one systemInstruction part each, in order", () => {
  const { systemInstruction } = convertMessages([
    { role: "system", content: parts("You are terse.", "Answer in French.") },
    { role: "developer", content: parts("Never guess.", "") },
    { role: "user", content: "hi" },
  ] as ChatMessage[]);
  expect(systemInstruction).toEqual({ parts: [{ text: "You are terse." }, { text: "Answer in French." }, { text: "Never guess." }] });
});

test("a tool message's parts are joined with a line break, not run together", () => {
  expect(toolTurn(parts("line one", "line two"))).toEqual({ functionResponse: { id: "call_1", name: "lookup", response: { content: "line one\nline two" } } });
  expect(toolTurn(parts('{"temp":', "18}"))).toEqual({ functionResponse: { id: "call_1", name: "lookup", response: { temp: 18 } } });
});

test("a tool message's parts that together are JSON are joined as they are, even cut mid-token", () => {
  expect(toolTurn(parts('{"a":"hel', 'lo"}'))).toEqual({ functionResponse: { id: "call_1", name: "lookup", response: { a: "hello" } } });
  expect(toolTurn(parts('{"n":1', "2}"))).toEqual({ functionResponse: { id: "call_1", name: "lookup", response: { n: 12 } } });
  expect(toolTurn(parts('["hel', 'lo"]'))).toEqual({ functionResponse: { id: "call_1", name: "lookup", response: { content: '["hello"]' } } });
});

test("a tool message's empty parts add no line breaks", () => {
  expect(toolTurn(parts("", "line one", "", "line two", ""))).toEqual({ functionResponse: { id: "call_1", name: "lookup", response: { content: "line one\nline two" } } });
  expect(toolTurn(parts("", ""))).toEqual({ functionResponse: { id: "call_1", name: "lookup", response: { content: "" } } });
});
