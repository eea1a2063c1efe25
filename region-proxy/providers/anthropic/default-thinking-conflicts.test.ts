/**
 * A model that thinks by default (Claude 5: claude-generation.ts thinksByDefault) thinks without
 * reasoning_effort, so what Anthropic refuses beside thinking (its extended-thinking guide, "Feature
 * compatibility": temperature other than 1, top_k, top_p outside 0.95-1, forced tool use beside a budget,
 * a prefill; adaptive thinking takes forced tool use) applies to a request that sends none. thinking.ts
 * refuseThinkingConflicts runs only when reasoning_effort asks for thinking; here each conflict is
 * refused before the call all the same, by the rule of the model's generation, which every model that
 * thinks by default falls under: a prefill (takesPrefill: none from 4.6), temperature and top_p
 * (refusesSampling: any but the default from 4.7), top_k (refused on Anthropic anyway), and forced tool
 * use where adaptive thinking does not take it (refusesForcedToolUse: 5.1 and later but Haiku). These
 * tests hold that cover: should a cut-off move, a conflict would reach Anthropic, whose 400 ends the
 * fallback chain, and the first test fails. Where the client stops the thinking (reasoning_effort
 * none: default-thinking.ts) the same model rules refuse the same fields.
 */
import { expect, test } from "bun:test";
import { readMessagesRequest } from "../../../test/fakes/anthropic-request.ts";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";
import { anthropicRefusal as refusal } from "../../testing/anthropic-refusal.ts";
import type { ChatRequest } from "../types.ts";
import { refusesForcedToolUse, refusesSampling, takesForcedToolWithAdaptiveThinking, takesPrefill, thinksByDefault } from "./claude-generation.ts";
import { toAnthropicBody } from "./request.ts";

const t = useVendorProxy({
  fakes: ["anthropic"],
  configure(s) {
    s.deployments.dep_opus5 = fakeDeployment("dep_opus5", "anthropic", t.anthropic.url, "claude-opus-5");
    s.deployments.dep_opus55 = fakeDeployment("dep_opus55", "anthropic", t.anthropic.url, "claude-opus-5-5");
    s.deployments.dep_sonnet45 = fakeDeployment("dep_sonnet45", "anthropic", t.anthropic.url, "claude-sonnet-4-5");
    s.aliases.opus5 = { name: "opus5", chain: ["dep_opus5"] };
    s.aliases.opus55 = { name: "opus55", chain: ["dep_opus55"] };
    // dep_error500 (the fixture's echo vendor answering 500) fails first, so the chain falls back.
    s.aliases.down_opus5_sonnet = { name: "down_opus5_sonnet", chain: ["dep_error500", "dep_opus5", "dep_sonnet45"] };
  },
});

const DEFAULT_THINKERS = ["claude-opus-5", "claude-sonnet-5", "claude-fable-5", "claude-mythos-5", "claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5", "claude-fable-5-1", "claude-mythos-5-1", "anthropic.claude-opus-5-5-v1:0", "claude-opus-5@20260101"];
const tools = [{ type: "function", function: { name: "w", parameters: { type: "object" } } }] as ChatRequest["tools"];
const req = (f: Partial<ChatRequest>, raw: Record<string, unknown> = {}): ChatRequest => ({ model: "a", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw, ...f });
const prefilled: ChatRequest["messages"] = [{ role: "user", content: "List three colours as JSON." }, { role: "assistant", content: "{" }];

test("every model that thinks by default falls under the model rules that refuse what thinking refuses", () => {
  for (const model of DEFAULT_THINKERS) {
    expect([model, thinksByDefault(model), takesPrefill(model), refusesSampling(model)]).toEqual([model, true, false, true]);
    // Its default thinking is adaptive, which takes forced tool use where the model takes it at all.
    expect([model, refusesForcedToolUse(model)]).toEqual([model, !takesForcedToolWithAdaptiveThinking(model)]);
  }
});

test("without reasoning_effort, a prefill, temperature, top_p and top_k are 400s naming them before the call, not sending the client to reasoning_effort", () => {
  const cases: [ChatRequest, string][] = [
    [req({ messages: prefilled }), "messages[1]"],
    [req({ temperature: 0.5 }), "temperature"],
    [req({ top_p: 0.9 }), "top_p"],
    [req({}, { top_k: 5 }), "top_k"],
  ];
  for (const model of DEFAULT_THINKERS) {
    for (const [r, param] of cases) {
      const refused = refusal(r, model);
      expect([model, refused?.param]).toEqual([model, param]);
      expect(refused?.message).not.toContain("reasoning_effort");
    }
  }
});

test("without reasoning_effort, forced tool use is refused where the model refuses it, and sent beside adaptive thinking elsewhere", () => {
  for (const model of DEFAULT_THINKERS) {
    const forced = req({ tools, tool_choice: "required" });
    if (refusesForcedToolUse(model)) expect([model, refusal(forced, model)?.param]).toEqual([model, "tool_choice"]);
    else expect([model, toAnthropicBody(forced, model).tool_choice, toAnthropicBody(forced, model).thinking]).toEqual([model, { type: "any" }, { type: "adaptive", display: "summarized" }]);
  }
});

test("with reasoning_effort none, where it stops the thinking, the same fields are refused by the model's rules", () => {
  for (const model of ["claude-opus-5", "claude-haiku-5-5"]) {
    expect([model, refusal(req({ messages: prefilled }, { reasoning_effort: "none" }), model)?.param]).toEqual([model, "messages[1]"]);
    expect([model, refusal(req({ temperature: 0.5 }, { reasoning_effort: "none" }), model)?.param]).toEqual([model, "temperature"]);
  }
});

test("the fake Anthropic refuses a prefill, temperature and top_k beside a Claude 5 model's default thinking, as Anthropic does", () => {
  const body = (f: Record<string, unknown>) => ({ model: "claude-opus-5", max_tokens: 4096, thinking: { type: "adaptive", display: "summarized" }, messages: [{ role: "user", content: "hi" }], ...f });
  expect(readMessagesRequest(body({ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "{" }] }))).toContain("does not support assistant message prefill");
  expect(readMessagesRequest(body({ temperature: 0.5 }))).toContain("`temperature`");
  expect(readMessagesRequest(body({ top_k: 5 }))).toContain("`top_k`");
});

test("through the proxy, without reasoning_effort: a prefill is a 400 the fake never sees, and a chain falling back skips Claude 5 for a model that takes it", async () => {
  const client = t.fx.client(t.proxy);
  for (const model of ["opus5", "opus55"]) {
    const before = t.anthropic.calls();
    const refused = await client.chat.completions.create({ model, messages: prefilled as never }).then(
      () => null,
      (e: { status?: number; param?: string }) => [e.status, e.param],
    );
    expect([model, refused, t.anthropic.calls()]).toEqual([model, [400, "messages[1]"], before]);
  }
  const before = t.anthropic.calls();
  const answer = await client.chat.completions.create({ model: "down_opus5_sonnet", messages: prefilled as never });
  expect(answer.choices[0]!.message.content).toBeString();
  expect(t.anthropic.calls()).toBe(before + 1);
  const sent = t.anthropic.lastRequest()!.body as { model: string; messages: { role: string }[]; thinking?: unknown };
  expect([sent.model, sent.messages.at(-1)?.role, sent.thinking]).toEqual(["claude-sonnet-4-5", "assistant", undefined]);
});
