/**
 * Fields of OpenAI's request whose type is wrong for every vendor (reasoning_effort and
 * safety_identifier not strings, an assistant's refusal or a refusal part's refusal not a string) are
 * refused while the request is parsed, naming the field: before the walk, so an alias chaining
 * Anthropic or Gemini with OpenAI does not skip the translating adapter's refusal (walk-chain.ts skips
 * a deployment whose adapter refuses before the call) and send the request on to OpenAI, which answers
 * its own 400 for the type ("Invalid type for 'reasoning_effort': expected one of ..."), or to a
 * server that takes it.
 */
import { describe, expect, test } from "bun:test";
import { useClaudeAndGeminiBehindProxy } from "../providers/testing/claude-and-gemini-behind-proxy.ts";
import { parseChatRequest } from "./parse-request.ts";

const t = useClaudeAndGeminiBehindProxy({ claude: "claude-sonnet-4-5", gemini: "gemini-2.5-flash" }, { claude_then_openai: ["dep_claude", "dep_echo1"], gemini_then_openai: ["dep_gemini", "dep_echo1"] });

const ask = [{ role: "user", content: "hello" }];
const answered = (refusal: unknown) => [...ask, { role: "assistant", content: null, refusal }, { role: "user", content: "please" }];
const refusalPart = (refusal: unknown) => [...ask, { role: "assistant", content: [{ type: "refusal", refusal }] }, { role: "user", content: "please" }];
const CASES: [string, Record<string, unknown>, string][] = [
  ["reasoning_effort 5", { messages: ask, reasoning_effort: 5 }, "reasoning_effort"],
  ["reasoning_effort ['low']", { messages: ask, reasoning_effort: ["low"] }, "reasoning_effort"],
  ["safety_identifier 5", { messages: ask, safety_identifier: 5 }, "safety_identifier"],
  ["an assistant's refusal {}", { messages: answered({}) }, "messages[1].refusal"],
  ["a refusal part's refusal 5", { messages: refusalPart(5) }, "messages[1].content[0].refusal"],
];

describe.each(["claude_then_openai", "gemini_then_openai"])("%s", (model) => {
  for (const [what, body, param] of CASES) {
    test(`${what}: the gateway's 400 naming ${param}, no vendor called`, async () => {
      const before = [t.fx.vendor.calls(), t.anthropic.calls(), t.gemini.calls()];
      const res = await t.post({ model, ...body });
      const error = ((await res.json()) as { error?: { param?: string; message?: string } }).error;
      expect({ status: res.status, param: error?.param, invalid: error?.message?.startsWith(`Invalid '${param}': expected a string`) }).toEqual({ status: 400, param, invalid: true });
      expect([t.fx.vendor.calls(), t.anthropic.calls(), t.gemini.calls()]).toEqual(before);
    });
  }
});

test("null is no value; strings pass the parser", () => {
  const ok = (body: Record<string, unknown>) => parseChatRequest({ model: "m", ...body }).ok;
  expect(ok({ messages: ask, reasoning_effort: null, safety_identifier: null })).toBe(true);
  expect(ok({ messages: ask, reasoning_effort: "low", safety_identifier: "user-1" })).toBe(true);
  expect(ok({ messages: answered(null) })).toBe(true);
  expect(ok({ messages: answered("I can't help with that.") })).toBe(true);
  expect(ok({ messages: refusalPart("No.") })).toBe(true);
});
