/**
 * Tool names Anthropic refuses. It takes a tool's name only if it matches ^[a-zA-Z0-9_-]{1,128}$
 * ("tools.0.custom.name: String should match pattern"); the gateway's front check lets `.` through,
 * which OpenAI and Gemini take. Such a name is refused while the request is built, naming the
 * client's field, before any call: the deployment is skipped wherever it stands and the next one that
 * takes the name answers; when none does (alone on the chain) it is the answer (400) (walk-chain.ts).
 * Through the proxy to the fake Anthropic (which refuses such names as Anthropic does) and the fake
 * Gemini, then the translation itself.
 */
import { describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { convertMessages } from "./messages.ts";
import { convertTools } from "./tools.ts";

const t = useVendorProxy({
  fakes: ["anthropic", "gemini"],
  configure(s) {
    s.deployments.dep_claude = fakeDeployment("dep_claude", "anthropic", t.anthropic.url, "claude-fake");
    s.deployments.dep_gemini = fakeDeployment("dep_gemini", "gemini", t.gemini.url, "gemini-fake");
    s.aliases.claude = { name: "claude", chain: ["dep_claude"] };
    // The base snapshot's OpenAI deployment that answers 500, then Anthropic, then Gemini.
    s.aliases.down_claude_gemini = { name: "down_claude_gemini", chain: ["dep_error500", "dep_claude", "dep_gemini"] };
  },
});

const messages = [{ role: "user" as const, content: "call tool" }];
const tool = (name: string): OpenAI.ChatCompletionTool => ({ type: "function", function: { name, parameters: { type: "object", properties: { q: { type: "string" } } } } });

function paramOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (e) {
    if (e instanceof UnsupportedParameterError) return e.param;
    throw e;
  }
}

describe("anthropic: a tool name Anthropic refuses", () => {
  test("alone on the chain: a 400 naming tools[1].function.name, Anthropic not called", async () => {
    const before = t.anthropic.calls();
    const error = await t.fx
      .client(t.proxy, undefined, { maxRetries: 0 })
      .chat.completions.create({ model: "claude", messages, tools: [tool("lookup"), tool("calendar.list_events")] })
      .then(
        () => ({ status: 200, param: null }),
        (e: { status: number; param: string }) => e,
      );
    expect({ status: error.status, param: error.param, called: t.anthropic.calls() > before }).toEqual({ status: 400, param: "tools[1].function.name", called: false });
  });

  test("reached by fallback: Anthropic is skipped and Gemini, next on the chain, which takes the name, answers", async () => {
    const before = t.anthropic.calls();
    const { data, response } = await t.fx
      .client(t.proxy, undefined, { maxRetries: 0 })
      .chat.completions.create({ model: "down_claude_gemini", messages, tools: [tool("calendar.list_events")] })
      .withResponse();
    expect(response.headers.get("x-gateway-provider")).toBe("gemini");
    expect(data.choices[0]!.message.tool_calls?.[0]).toMatchObject({ function: { name: "calendar.list_events" } });
    expect(t.anthropic.calls()).toBe(before);
  });

  test("a name Anthropic takes (letters, digits, _ and -) is sent as it is", async () => {
    const answer = await t.fx.client(t.proxy).chat.completions.create({ model: "claude", messages, tools: [tool("get-weather_2")] });
    expect(answer.choices[0]!.message.tool_calls?.[0]).toMatchObject({ function: { name: "get-weather_2" } });
  });

  test("a named tool_choice with such a name is refused naming tool_choice.function.name", () => {
    // The front check refuses a choice naming no tool; the adapter does not rely on it.
    expect(paramOf(() => convertTools([tool("lookup")], { type: "function", function: { name: "a.b" } }, undefined, undefined, false))).toBe("tool_choice.function.name");
  });

  test("history: Anthropic takes any tool_use name of 1 to 200 characters, so a dotted one is sent; a longer one is refused", () => {
    const history = (name: string): OpenAI.ChatCompletionMessageParam[] => [
      { role: "user", content: "go" },
      { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name, arguments: "{}" } }] },
      { role: "tool", tool_call_id: "c1", content: "done" },
    ];
    const sent = convertMessages(history("calendar.list_events") as never).messages[1]!.content[0] as unknown as { name: string };
    expect(sent.name).toBe("calendar.list_events");
    expect(paramOf(() => convertMessages(history("x".repeat(201)) as never))).toBe("messages[1].tool_calls[0].function.name");
  });
});
