/**
 * Function names Gemini refuses: it takes a letter or an underscore first, then a-z A-Z 0-9 _ . : -,
 * 64 at most, and answers any other with a 400 for the whole request ("Invalid function name. Must
 * start with a letter or an underscore..."). OpenAI, and the gateway's front check, take a name
 * starting with a digit or '-'. Such a name is refused before the call naming the field, in tools, a
 * named tool_choice and the history's function calls, so a chain skips Gemini for the next deployment.
 * The fake refuses such a declaration as Gemini does.
 */
import { describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { useGeminiBehindProxy } from "../testing/gemini-behind-proxy.ts";
import { sendChat } from "../../testing/vendor-behind-proxy.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { convertTools } from "./tools.ts";

const gemini = useGeminiBehindProxy("gemini-fake");

const messages = [{ role: "user", content: "look it up" }];
const tool = (name: string) => ({ type: "function", function: { name, parameters: { type: "object", properties: { q: { type: "string" } } } } });
const LONG = `a${"b".repeat(63)}`;

describe("function names Gemini refuses", () => {
  test("in tools: a 400 naming tools[i].function.name, without a call to Gemini", async () => {
    for (const [name, at] of [["1password_lookup", 0], ["-lookup", 1], [`${LONG}c`, 1]] as const) {
      const tools = at === 0 ? [tool(name)] : [tool("ok"), tool(name)];
      expect(await sendChat(gemini, { model: "gemini", messages, tools })).toMatchObject({ refused: true, param: `tools[${at}].function.name` });
    }
  });

  test("names Gemini takes reach it as sent", async () => {
    const names = ["calendar.list_events", "_private", "a-b", LONG];
    const outcome = await sendChat(gemini, { model: "gemini", messages, tools: names.map(tool) });
    expect(outcome.sent.tools[0].functionDeclarations.map((d: { name: string }) => d.name)).toEqual(names);
  });

  test("in the history's function calls: a 400 naming messages[i].tool_calls[j].function.name", async () => {
    const history = [
      { role: "user", content: "look it up" },
      { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "lookup", arguments: "{}" } }, { id: "c2", type: "function", function: { name: "9lives", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "c1", content: "x" },
      { role: "tool", tool_call_id: "c2", content: "y" },
    ];
    expect(await sendChat(gemini, { model: "gemini", messages: history })).toMatchObject({ refused: true, param: "messages[1].tool_calls[1].function.name" });
  });

  test("reached by fallback, Gemini is skipped for the next deployment, which answers", async () => {
    const { response } = await gemini.client.chat.completions.create({ model: "down_gemini_echo", messages: [{ role: "user", content: "hi" }], tools: [tool("1password_lookup")] as OpenAI.ChatCompletionTool[] }).withResponse();
    expect(response.status).toBe(200);
  });

  test("a named tool_choice (allowedFunctionNames) is held to the same rule", () => {
    let caught: unknown;
    try {
      convertTools([tool("lookup")], { type: "function", function: { name: "2fa" } });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UnsupportedParameterError);
    expect((caught as UnsupportedParameterError).param).toBe("tool_choice.function.name");
    expect(convertTools([tool("ns:lookup")], { type: "function", function: { name: "ns:lookup" } }).toolConfig).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["ns:lookup"] } });
  });

  test("the fake refuses such a declaration with Gemini's 400", async () => {
    const res = await fetch(`${gemini.fake.url}/v1beta/models/gemini-fake:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "gm-fake" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }], tools: [{ functionDeclarations: [{ name: "ok" }, { name: "1password_lookup" }] }] }),
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { status: string; message: string } };
    expect(error.status).toBe("INVALID_ARGUMENT");
    expect(error.message).toStartWith("* GenerateContentRequest.tools[0].function_declarations[1].name: [FIELD_INVALID] Invalid function name. Must start with a letter or an underscore.");
  });
});
