/**
 * OpenAI's reasoning_effort reaching Gemini as its thinkingConfig, as Google's OpenAI-compatible endpoint
 * maps it: a thinkingBudget for Gemini 2.5 (low 1024, medium 8192, high 24576, none 0 where the model can
 * stop thinking), a thinkingLevel for Gemini 3 (the levels each model takes); anything a model cannot take
 * is a 400 naming reasoning_effort before the call, so a chain skips that deployment. Through a real
 * proxy to the fake Gemini, read through the official SDK.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../../testing/proxy-fixture.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

const MODELS = {
  g25flash: "gemini-2.5-flash",
  g25lite: "gemini-2.5-flash-lite",
  g25pro: "gemini-2.5-pro",
  g20: "gemini-2.0-flash",
  g3pro: "gemini-3-pro-preview",
  g31pro: "gemini-3.1-pro-preview",
  g3flash: "gemini-3-flash-preview",
  g31lite: "gemini-3.1-flash-lite-preview",
  g35flash: "gemini-3.5-flash",
  latest: "gemini-flash-latest",
};
type Alias = keyof typeof MODELS;

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, MODELS);
});
afterAll(() => vp?.stop());

/** What Gemini received as thinkingConfig for `effort` on `alias`, or "refused" (a 400 naming reasoning_effort, no vendor call). */
async function thinking(alias: Alias, effort: unknown): Promise<unknown> {
  const out = await sendChat(vp, { model: alias, messages: [{ role: "user", content: "hi" }], reasoning_effort: effort });
  if (out.refused) return out.param === "reasoning_effort" ? "refused" : `refused naming ${out.param}`;
  return out.sent.generationConfig?.thinkingConfig ?? "none sent";
}

const budget = (thinkingBudget: number) => ({ thinkingBudget });
const level = (thinkingLevel: string) => ({ thinkingLevel });

describe("gemini reasoning_effort → thinkingConfig", () => {
  const cases: [Alias, Record<string, unknown>][] = [
    ["g25flash", { none: budget(0), minimal: "refused", low: budget(1024), medium: budget(8192), high: budget(24576), xhigh: "refused" }],
    ["g25lite", { none: budget(0), low: budget(1024), high: budget(24576) }],
    // Gemini 2.5 Pro cannot stop thinking ("Budget 0 is invalid. This model only works in thinking mode.").
    ["g25pro", { none: "refused", low: budget(1024), medium: budget(8192), high: budget(24576) }],
    // Before 2.5, Gemini does not think.
    ["g20", { low: "refused", none: "refused" }],
    // Gemini 3 cannot stop thinking; each model takes only its own levels.
    ["g3pro", { none: "refused", minimal: "refused", low: level("LOW"), medium: "refused", high: level("HIGH") }],
    ["g31pro", { none: "refused", minimal: "refused", low: level("LOW"), medium: level("MEDIUM"), high: level("HIGH") }],
    ["g3flash", { none: "refused", minimal: level("MINIMAL"), low: level("LOW"), medium: level("MEDIUM"), high: level("HIGH"), xhigh: "refused" }],
    ["g31lite", { minimal: level("MINIMAL"), low: level("LOW"), medium: level("MEDIUM"), high: level("HIGH") }],
    // A later Gemini 3 model: the levels every Gemini 3 model after 3 Pro takes; minimal is not one of them.
    ["g35flash", { none: "refused", minimal: "refused", low: level("LOW"), medium: level("MEDIUM"), high: level("HIGH") }],
    // An id naming no series: a budget, which Gemini 2.5 and 3 both take; whether it can stop thinking is not known.
    ["latest", { none: "refused", minimal: "refused", low: budget(1024), high: budget(24576) }],
  ];
  for (const [alias, expected] of cases) {
    test(`${MODELS[alias]}: ${Object.keys(expected).join(", ")}`, async () => {
      const got: Record<string, unknown> = {};
      for (const effort of Object.keys(expected)) got[effort] = await thinking(alias, effort);
      expect(got).toEqual(expected);
    });
  }

  test("reasoning_effort null asks for nothing; one that is not a string is refused naming it", async () => {
    expect(await thinking("g25flash", null)).toBe("none sent");
    expect(await thinking("g3flash", 3)).toBe("refused");
  });
});

describe("a chain with reasoning_effort", () => {
  let fx: ProxyFixture;
  let gemini: FakeVendor;
  let client: OpenAI;
  beforeAll(async () => {
    fx = await createProxyFixture();
    gemini = await startFakeGemini({ apiKey: "g-key" });
    const dep = (id: string, model: string) => ({ id, provider: "gemini" as const, baseUrl: gemini.url, model, region: REGION, credentialRef: "env:G" });
    await fx.publish(
      fx.snapshot(1, (s) => {
        s.deployments.dep_g25 = dep("dep_g25", "gemini-2.5-flash");
        s.deployments.dep_g3pro = dep("dep_g3pro", "gemini-3-pro-preview");
        s.aliases.reasoner = { name: "reasoner", chain: ["dep_error500", "dep_g25"] };
        s.aliases.leveled = { name: "leveled", chain: ["dep_error500", "dep_g3pro", "dep_g25"] };
        s.aliases.leveledFirst = { name: "leveledFirst", chain: ["dep_g3pro", "dep_g25"] };
        s.aliases.leveledOnly = { name: "leveledOnly", chain: ["dep_g3pro"] };
      }),
    );
    const proxy = await fx.startProxy({ credentials: { ECHO_KEY: "sk-echo-test", G: "g-key" } });
    client = fx.client(proxy);
  });
  afterAll(async () => {
    await fx?.cleanup();
    await gemini?.stop();
  });

  test("an OpenAI deployment's 500 falls back to Gemini 2.5, which answers with the budget for 'low'", async () => {
    const answer = await client.chat.completions.create({ model: "reasoner", messages: [{ role: "user", content: "hi" }], reasoning_effort: "low" });
    expect(answer.choices[0]!.message.content).toBe("Echo: hi");
    expect(answer.model).toBe("gemini-2.5-flash");
    expect((gemini.lastRequest()!.body as any).generationConfig.thinkingConfig).toEqual({ thinkingBudget: 1024 });
  });

  test("a fallback skips a deployment whose model cannot take the level for one that can", async () => {
    const before = gemini.calls();
    const answer = await client.chat.completions.create({ model: "leveled", messages: [{ role: "user", content: "hi" }], reasoning_effort: "medium" });
    expect(answer.choices[0]!.message.content).toBe("Echo: hi");
    expect([gemini.calls() - before, gemini.lastRequest()!.path]).toEqual([1, "/v1beta/models/gemini-2.5-flash:generateContent"]);
    expect((gemini.lastRequest()!.body as any).generationConfig.thinkingConfig).toEqual({ thinkingBudget: 8192 });
  });

  test("on the chain's first deployment too, as any parameter it cannot honour: the next deployment that can take the level answers", async () => {
    const before = gemini.calls();
    const answer = await client.chat.completions.create({ model: "leveledFirst", messages: [{ role: "user", content: "hi" }], reasoning_effort: "medium" });
    expect(answer.model).toBe("gemini-2.5-flash");
    expect([gemini.calls() - before, gemini.lastRequest()!.path]).toEqual([1, "/v1beta/models/gemini-2.5-flash:generateContent"]);
  });

  test("with no deployment that can take the level, a 400 naming reasoning_effort, without a call", async () => {
    const before = gemini.calls();
    const error = await client.chat.completions.create({ model: "leveledOnly", messages: [{ role: "user", content: "hi" }], reasoning_effort: "medium" }).then(() => null, (e: any) => e);
    expect([error?.status, error?.param, error?.error?.message, gemini.calls() - before]).toEqual([400, "reasoning_effort", "This model takes reasoning_effort 'low' or 'high'.", 0]);
  });
});

describe("the fake refuses what Gemini refuses", () => {
  const post = (model: string, thinkingConfig: unknown) =>
    fetch(`${vp.fake.url}/v1beta/models/${model}:generateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": "vendor-fake-key", "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }], generationConfig: { thinkingConfig } }),
    });
  const refusal = async (res: Response) => [res.status, ((await res.json()) as { error?: { message: string } }).error?.message ?? "answered"];

  test("a thinkingBudget and a thinkingLevel together, a level that is no level, a level the model does not take", async () => {
    expect(await refusal(await post("gemini-3-flash-preview", { thinkingBudget: 1024, thinkingLevel: "LOW" }))).toEqual([400, "You can only set only one of thinking budget and thinking level."]);
    expect(await refusal(await post("gemini-3-flash-preview", { thinkingLevel: "EXTREME" }))).toEqual([
      400,
      `Invalid value at 'generation_config.thinking_config.thinking_level' (type.googleapis.com/google.ai.generativelanguage.v1beta.ThinkingConfig.ThinkingLevel), "EXTREME"`,
    ]);
    expect(await refusal(await post("gemini-3-pro-preview", { thinkingLevel: "MEDIUM" }))).toEqual([400, "Thinking level MEDIUM is not supported for this model. Please retry with other thinking level."]);
    expect(await refusal(await post("gemini-2.5-flash", { thinkingLevel: "LOW" }))).toEqual([400, "Thinking level is not supported for this model."]);
    expect(await refusal(await post("gemini-2.5-pro", { thinkingBudget: 0 }))).toEqual([400, "Budget 0 is invalid. This model only works in thinking mode."]);
    expect(await refusal(await post("gemini-3-flash-preview", { thinkingLevel: "MINIMAL" }))).toEqual([200, "answered"]);
    expect(await refusal(await post("gemini-2.5-flash", { thinkingBudget: 0 }))).toEqual([200, "answered"]);
  });
});
