/**
 * Claude Opus 4.7 and later (Opus 4.8, the Claude 5 models, Haiku 5.5) refuse a non-default temperature,
 * top_p or top_k: Anthropic answers 400 "`temperature` is deprecated for this model." The adapter used to
 * forward them, so that 400 failed the fallback chain: now a non-default value is a 400 naming the field
 * before the call, so a chain skips the deployment, and a default one (temperature 1, top_p 1) is left
 * out of the body. An id naming no version is sent as before. The fake Anthropic refuses them as Anthropic does.
 */
import { expect, test } from "bun:test";
import { modelLimitProblem } from "../../../test/fakes/anthropic-model-limits.ts";
import { anthropicRefusal } from "../../testing/anthropic-refusal.ts";
import type { ChatRequest } from "../types.ts";
import { toAnthropicBody } from "./request.ts";

const req = (f: Partial<ChatRequest>, raw: Record<string, unknown> = {}): ChatRequest => ({ model: "a", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw, ...f });
const refused = (r: ChatRequest, model: string): string | null => anthropicRefusal(r, model)?.param ?? null;

const REFUSING = ["claude-opus-4-7", "claude-opus-4-8", "claude-opus-5", "claude-sonnet-5-5", "claude-haiku-5-5", "claude-fable-5-1", "anthropic.claude-opus-4-7-v1:0", "claude-opus-4-7@20260416"];

for (const model of REFUSING) {
  test(`${model}: a non-default temperature or top_p is a 400 naming it before the call`, () => {
    expect(refused(req({ temperature: 0.7 }), model)).toBe("temperature");
    expect(refused(req({ temperature: 0 }), model)).toBe("temperature");
    expect(refused(req({ top_p: 0.9 }), model)).toBe("top_p");
    expect(refused(req({ temperature: 1, top_p: 0.9 }), model)).toBe("top_p");
    // With reasoning_effort too the refusal is the model's, not thinking's.
    expect(refused(req({ temperature: 0.5 }, { reasoning_effort: "low" }), model)).toBe("temperature");
  });

  test(`${model}: temperature 1 and top_p 1, the defaults, are left out of the body`, () => {
    const body = toAnthropicBody(req({ temperature: 1, top_p: 1 }), model);
    expect(body.temperature).toBeUndefined();
    expect(body.top_p).toBeUndefined();
  });
}

test("Claude 4.6 and before, and an id naming no version, take a temperature as before", () => {
  for (const model of ["claude-opus-4-6", "claude-sonnet-4-6", "claude-haiku-4-5", "claude-sonnet-latest", "claude-mythos-preview"]) {
    expect([model, toAnthropicBody(req({ temperature: 0.7 }), model).temperature]).toEqual([model, 0.7]);
  }
  expect(toAnthropicBody(req({ temperature: 1 }), "claude-opus-4-6").temperature).toBe(1);
});

test("the fake refuses a non-default temperature, top_p or top_k on Claude 4.7 and later, in Anthropic's words for temperature", () => {
  for (const model of ["claude-opus-4-7", "claude-opus-4-8", "claude-sonnet-5", "claude-haiku-5-5"]) {
    expect(modelLimitProblem({ model, temperature: 0.7 })).toBe("`temperature` is deprecated for this model.");
    expect(modelLimitProblem({ model, top_p: 0.9 })).toContain("`top_p`");
    expect(modelLimitProblem({ model, top_k: 5 })).toContain("`top_k`");
    expect(modelLimitProblem({ model, temperature: 1 })).toBeNull();
    expect(modelLimitProblem({ model, top_p: 1 })).toBeNull();
  }
  expect(modelLimitProblem({ model: "claude-opus-4-6", temperature: 0.7 })).toBeNull();
});
