/**
 * GPT-5 custom tools, second turn: the client sends back the assistant message its SDK gave it, whose
 * tool call is `{id, type: "custom", custom: {name, input}}` (OpenAI's ChatCompletionMessageCustomToolCall,
 * part of the SDK's assistant message param), and the tool message answering it by id. OpenAI takes it;
 * Anthropic and Gemini have no custom tools, so there it is a 400 naming the call's type, before any call.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeOpenAI } from "../../test/fakes/openai.ts";
import type { FakeVendor } from "../../test/fakes/fake-server.ts";
import { fakeDeployment, useVendorProxy } from "../providers/testing/use-vendor-proxy.ts";

let openai: FakeVendor;
beforeAll(async () => {
  // The OpenAI fake checks every tool call field against OpenAI's (id, type, function, custom).
  openai = await startFakeOpenAI({ apiKey: "sk-echo-test" });
});
afterAll(() => openai.stop());

const t = useVendorProxy({
  fakes: ["anthropic", "gemini"],
  configure(s) {
    s.deployments.dep_gpt5 = fakeDeployment("dep_gpt5", "openai", `${openai.url}/v1`, "gpt-5");
    s.deployments.dep_claude = fakeDeployment("dep_claude", "anthropic", t.anthropic.url, "claude-fake");
    s.deployments.dep_gemini = fakeDeployment("dep_gemini", "gemini", t.gemini.url, "gemini-fake");
    s.aliases.gpt5 = { name: "gpt5", chain: ["dep_gpt5"] };
    s.aliases.claude = { name: "claude", chain: ["dep_claude"] };
    s.aliases.gemini = { name: "gemini", chain: ["dep_gemini"] };
  },
});

const customCall = { id: "call_abc123", type: "custom", custom: { name: "code_exec", input: 'print("hello world")' } };
const history = (call: unknown) =>
  [
    { role: "user", content: "Use the code_exec tool to print hello world to the console." },
    { role: "assistant", content: null, tool_calls: [call] },
    { role: "tool", tool_call_id: "call_abc123", content: "hello world" },
  ] as OpenAI.ChatCompletionMessageParam[];

/** The request through the proxy: the body the vendor got, or the 400's param (and no vendor call). */
async function send(alias: string, vendor: FakeVendor, messages: OpenAI.ChatCompletionMessageParam[], extra: Record<string, unknown> = {}) {
  const before = vendor.calls();
  const outcome = await t.fx.client(t.proxy).chat.completions.create({ model: alias, messages, ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming).then(
    () => ({ ok: true as const, sent: vendor.lastRequest()!.body as any }),
    (e: { status?: number; param?: string; message?: string }) => ({ ok: false as const, status: e.status, param: e.param, message: e.message }),
  );
  expect(vendor.calls()).toBe(outcome.ok ? before + 1 : before);
  return outcome;
}

describe("a custom tool call in the history", () => {
  test("reaches an OpenAI deployment as the client sent it, with the tool message answering it", async () => {
    const tools = [{ type: "custom", custom: { name: "code_exec", description: "Executes arbitrary python code" } }];
    const out = await send("gpt5", openai, history(customCall), { tools });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.sent.messages[1].tool_calls).toEqual([customCall]);
    expect(out.sent.messages[2]).toEqual({ role: "tool", tool_call_id: "call_abc123", content: "hello world" });
  });

  test("an input of nothing (a tool that takes none) is still a custom call", async () => {
    const out = await send("gpt5", openai, history({ ...customCall, custom: { name: "code_exec", input: "" } }));
    expect(out.ok).toBe(true);
  });

  test("a malformed custom call is a 400 naming the field, before any call", async () => {
    const cases: [unknown, string][] = [
      [{ id: "call_abc123", type: "custom" }, "messages[1].tool_calls[0].custom"],
      [{ ...customCall, custom: { name: "", input: "x" } }, "messages[1].tool_calls[0].custom.name"],
      [{ ...customCall, custom: { input: "x" } }, "messages[1].tool_calls[0].custom.name"],
      [{ ...customCall, custom: { name: "code_exec", input: { code: "x" } } }, "messages[1].tool_calls[0].custom.input"],
      [{ ...customCall, custom: { name: "code_exec" } }, "messages[1].tool_calls[0].custom.input"],
      [{ ...customCall, type: "mcp" }, "messages[1].tool_calls[0].type"],
    ];
    for (const [call, param] of cases) {
      const out = await send("gpt5", openai, history(call));
      expect({ status: out.ok ? 200 : out.status, param: out.ok ? null : out.param }).toEqual({ status: 400, param });
    }
  });

  for (const alias of ["claude", "gemini"] as const) {
    test(`${alias}: a 400 naming the call's type before the call (no custom tools there), not a crash`, async () => {
      const vendor = alias === "claude" ? t.anthropic : t.gemini;
      const out = await send(alias, vendor, history(customCall));
      expect(out).toMatchObject({ ok: false, status: 400, param: "messages[1].tool_calls[0].type" });
      expect((out as { message: string }).message).toContain("custom");
      // A function call beside it is named by its own index: the custom one is what is refused.
      const functionCall = { id: "call_f", type: "function", function: { name: "get_weather", arguments: "{}" } };
      const two = [
        { role: "user", content: "go" },
        { role: "assistant", content: null, tool_calls: [functionCall, customCall] },
        { role: "tool", tool_call_id: "call_f", content: "18C" },
        { role: "tool", tool_call_id: "call_abc123", content: "hello world" },
      ] as OpenAI.ChatCompletionMessageParam[];
      expect(await send(alias, vendor, two)).toMatchObject({ ok: false, status: 400, param: "messages[1].tool_calls[1].type" });
    });
  }
});
