/**
 * The fake Anthropic refuses what current Claude models refuse, by the model asked for
 * (test/fakes/anthropic-model-limits.ts), and the adapter never sends it: the OpenAI client's no-op
 * values are left out, and a real conflict (temperature with top_p, a prefill) is refused before the
 * call, naming the parameter.
 */
import { describe, expect, test } from "bun:test";
import { adapterAgainstFake, systemAndUser } from "../../../test/fakes/adapter-against-fake.ts";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import type { ResponseContext } from "../types.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { anthropicAdapter } from "./adapter.ts";

const ctx: ResponseContext = { completionId: "chatcmpl-limits", created: 1, model: "claude-sonnet-4-5", includeUsage: true };
const vendor = adapterAgainstFake({
  adapter: anthropicAdapter,
  start: startFakeAnthropic,
  key: "sk-ant-fake",
  target: (baseUrl, model = "claude-sonnet-4-5") => ({ id: "dep_a", provider: "anthropic", baseUrl, model, region: "us", credentialRef: "env:K" }),
  ctx,
});
const request = systemAndUser("hello there");

const post = (body: Record<string, unknown>) =>
  fetch(`${vendor.fake().url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "sk-ant-fake", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ max_tokens: 5, messages: [{ role: "user", content: "hi" }], ...body }),
  });

describe("temperature with top_p", () => {
  test("the fake refuses the pair for Claude 4.1 and later, in Anthropic's words, and takes it from older models", async () => {
    for (const model of ["claude-sonnet-4-5-20250929", "claude-haiku-4-5", "claude-opus-4-1", "claude-opus-4-6"]) {
      const res = await post({ model, temperature: 0.7, top_p: 1 });
      expect([model, res.status, (await res.json()).error?.message]).toEqual([model, 400, "`temperature` and `top_p` cannot both be specified for this model. Please use only one."]);
    }
    for (const model of ["claude-sonnet-4-20250514", "claude-3-5-sonnet-latest", "claude-fake"]) expect([model, (await post({ model, temperature: 0.7, top_p: 0.9 })).status]).toEqual([model, 200]);
    expect((await post({ model: "claude-sonnet-4-5", temperature: 0.7 })).status).toBe(200);
  });

  test("the adapter's request with an OpenAI client's top_p 1 is answered; a real pair is refused before any call", async () => {
    const fake = vendor.fake();
    expect((await vendor.send(request({ temperature: 0.7, top_p: 1 }))).status).toBe(200);
    const before = fake.calls();
    await expect(vendor.send(request({ temperature: 0.7, top_p: 0.9 }))).rejects.toBeInstanceOf(UnsupportedParameterError);
    expect(fake.calls()).toBe(before);
    expect((await vendor.send(request({ temperature: 0.7, top_p: 0.9 }), "claude-3-7-sonnet-20250219")).status).toBe(200);
  });
});

describe("a conversation ending on an assistant turn (a prefill)", () => {
  const prefill = [{ role: "user", content: "List three colours as JSON." }, { role: "assistant", content: "{" }];

  test("the fake refuses it for Claude 4.6 and later, in Anthropic's words, and takes it from older models", async () => {
    for (const model of ["claude-opus-4-6", "claude-sonnet-4-6", "claude-opus-4-7-20260101"]) {
      const res = await post({ model, messages: prefill });
      expect([model, res.status, (await res.json()).error?.message]).toEqual([model, 400, "This model does not support assistant message prefill. The conversation must end with a user message."]);
    }
    for (const model of ["claude-sonnet-4-5", "claude-opus-4-1", "claude-3-5-sonnet-latest", "claude-fake"]) expect([model, (await post({ model, messages: prefill })).status]).toEqual([model, 200]);
    expect((await post({ model: "claude-opus-4-6", messages: [...prefill, { role: "user", content: "Go on." }] })).status).toBe(200);
  });

  test("the adapter sends it to an older model and refuses it before any call to a 4.6 one", async () => {
    const fake = vendor.fake();
    const messages = [...request().messages, { role: "assistant" as const, content: "{" }];
    expect((await vendor.send(request({ messages }))).status).toBe(200);
    const before = fake.calls();
    await expect(vendor.send(request({ messages }), "claude-sonnet-4-6")).rejects.toBeInstanceOf(UnsupportedParameterError);
    expect(fake.calls()).toBe(before);
  });
});
