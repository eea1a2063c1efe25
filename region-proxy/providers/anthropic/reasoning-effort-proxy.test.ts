/**
 * reasoning_effort through the proxy to the fake Anthropic, read through the official SDK: Claude thinks
 * on a model that can (the fake takes `thinking` only as Anthropic does, anthropic-thinking.ts), a field
 * Anthropic refuses beside thinking is the gateway's 400 naming it with no vendor call, and an alias
 * falling back from an OpenAI-format deployment to Claude reaches Claude with it, where Claude used to
 * be skipped for every such request.
 */
import { describe, expect, test } from "bun:test";
import { sendChat } from "../../testing/vendor-behind-proxy.ts";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";

const t = useVendorProxy({
  fakes: ["anthropic"],
  configure(s) {
    s.deployments.dep_sonnet = fakeDeployment("dep_sonnet", "anthropic", t.anthropic.url, "claude-sonnet-4-5");
    s.deployments.dep_haiku35 = fakeDeployment("dep_haiku35", "anthropic", t.anthropic.url, "claude-3-5-haiku-20241022");
    s.deployments.dep_opus47 = fakeDeployment("dep_opus47", "anthropic", t.anthropic.url, "claude-opus-4-7");
    s.aliases.claude = { name: "claude", chain: ["dep_sonnet"] };
    s.aliases.opus47 = { name: "opus47", chain: ["dep_opus47"] };
    s.aliases.old_claude = { name: "old_claude", chain: ["dep_haiku35"] };
    s.aliases.down_then_claude = { name: "down_then_claude", chain: ["dep_error500", "dep_haiku35", "dep_sonnet"] };
  },
});
const vendor = () => ({ client: t.fx.client(t.proxy), fake: t.anthropic });
const messages = [{ role: "user", content: "Is 1071 divisible by 7?" }];

describe("reasoning_effort on Anthropic through the proxy", () => {
  test("high reaches Claude as a 4096-token thinking budget, max_tokens leaving the usual 4096 for the answer", async () => {
    const { refused, sent } = await sendChat(vendor(), { model: "claude", messages, reasoning_effort: "high" });
    expect(refused).toBe(false);
    expect(sent.thinking).toEqual({ type: "enabled", budget_tokens: 4096 });
    expect(sent.max_tokens).toBe(8192);
  });

  test("Opus 4.7, which refuses a budget, thinks adaptively at the effort asked, and answers with its thinking", async () => {
    const { refused, sent } = await sendChat(vendor(), { model: "opus47", messages, reasoning_effort: "high" });
    expect(refused).toBe(false);
    expect([sent.thinking, sent.output_config, sent.max_tokens]).toEqual([{ type: "adaptive", display: "summarized" }, { effort: "high" }, 8192]);
    const answer = await vendor().client.chat.completions.create({ model: "opus47", messages: [{ role: "user", content: "Is 1071 divisible by 7?" }], reasoning_effort: "low" });
    expect((answer.choices[0]!.message as unknown as { reasoning_content?: string }).reasoning_content).toStartWith("The user wrote");
  });

  test("a client cap is kept: above the budget it is sent, at or below it a 400 names it", async () => {
    expect((await sendChat(vendor(), { model: "claude", messages, reasoning_effort: "low", max_completion_tokens: 2000 })).sent.max_tokens).toBe(2000);
    expect(await sendChat(vendor(), { model: "claude", messages, reasoning_effort: "medium", max_tokens: 2048 })).toMatchObject({ refused: true, param: "max_tokens" });
  });

  test("temperature, top_p, a forced tool_choice and a prefill beside it are 400s naming them, before any vendor call", async () => {
    const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }];
    const cases: [Record<string, unknown>, string][] = [
      [{ temperature: 0.2 }, "temperature"],
      [{ top_p: 0.5 }, "top_p"],
      [{ tools, tool_choice: "required" }, "tool_choice"],
      [{ response_format: { type: "json_object" } }, "response_format"],
      [{ messages: [...messages, { role: "assistant", content: "No" }] }, "messages[1]"],
    ];
    for (const [fields, param] of cases) {
      expect([param, await sendChat(vendor(), { model: "claude", messages, reasoning_effort: "low", ...fields })]).toEqual([param, { refused: true, param, sent: null }]);
    }
  });

  test("a model that does not think keeps the 400 naming reasoning_effort; 'none' is answered without thinking", async () => {
    expect(await sendChat(vendor(), { model: "old_claude", messages, reasoning_effort: "low" })).toMatchObject({ refused: true, param: "reasoning_effort" });
    const none = await sendChat(vendor(), { model: "old_claude", messages, reasoning_effort: "none" });
    expect(none.refused).toBe(false);
    expect(none.sent.thinking).toBeUndefined();
  });

  test("a chain falling back from an OpenAI-format deployment skips the Claude that cannot think and reaches the one that can", async () => {
    const answer = await vendor().client.chat.completions.create({ model: "down_then_claude", messages: [{ role: "user", content: "hello" }], reasoning_effort: "medium" });
    expect(answer.choices[0]!.message.content).toBe("Echo: hello");
    expect((t.anthropic.lastRequest()!.body as { model: string; thinking: unknown }).model).toBe("claude-sonnet-4-5");
    expect((t.anthropic.lastRequest()!.body as { thinking: unknown }).thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
  });
});
