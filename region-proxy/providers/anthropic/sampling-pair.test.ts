/**
 * Claude Sonnet 4.5 / Haiku 4.5 / Opus 4.1 and later answer 400 "`temperature` and `top_p` cannot both
 * be specified for this model. Please use only one." (Anthropic's migration guide: "Use only
 * temperature OR top_p, not both ... This will error in Sonnet 4.5"). Many OpenAI clients send
 * top_p: 1 (OpenAI's default, a no-op) beside a temperature: that top_p is not sent. A real pair is
 * refused before the call naming top_p, so a chain skips the deployment for one that takes it.
 * (Review repro anthropic-sampling-pair.test.ts, extended.)
 */
import { describe, expect, test } from "bun:test";
import { anthropicRefusal } from "../../testing/anthropic-refusal.ts";
import type { ChatRequest } from "../types.ts";
import { toAnthropicBody } from "./request.ts";

const req = (f: Partial<ChatRequest>): ChatRequest => ({ model: "a", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw: {}, ...f });
const sampling = (f: Partial<ChatRequest>, model: string) => {
  const body = toAnthropicBody(req(f), model);
  return { temperature: body.temperature, top_p: body.top_p };
};
const refusal = (f: Partial<ChatRequest>, model: string) => anthropicRefusal(req(f), model);

describe("temperature together with top_p to current Claude models", () => {
  test("top_p: 1 (OpenAI's default, a no-op) is not sent beside a temperature", () => {
    const body = toAnthropicBody(req({ temperature: 0.7, top_p: 1 }), "claude-sonnet-4-5");
    // Anthropic refuses the pair on this model; top_p 1 asks for nothing, so it need not go.
    expect("temperature" in body && "top_p" in body).toBe(false);
    expect(body.temperature).toBe(0.7);
    expect(sampling({ top_p: 1 }, "claude-3-7-sonnet-20250219")).toEqual({ temperature: undefined, top_p: undefined });
  });

  test("a real pair is refused before the call, naming top_p, so the chain can skip the deployment", () => {
    for (const model of ["claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "claude-haiku-4-5", "claude-opus-4-1", "claude-opus-4-6", "claude-sonnet-next"]) {
      expect([model, refusal({ temperature: 0.7, top_p: 0.9 }, model)?.param]).toEqual([model, "top_p"]);
    }
  });

  test("temperature 1 (Anthropic's default) beside a real top_p sends the top_p alone", () => {
    expect(sampling({ temperature: 1, top_p: 0.9 }, "claude-sonnet-4-5")).toEqual({ temperature: undefined, top_p: 0.9 });
  });

  test("either alone is sent as given", () => {
    expect(sampling({ temperature: 0.7 }, "claude-sonnet-4-5")).toEqual({ temperature: 0.7, top_p: undefined });
    expect(sampling({ top_p: 0.9 }, "claude-sonnet-4-5")).toEqual({ temperature: undefined, top_p: 0.9 });
  });

  test("models before 4.1 still get both", () => {
    for (const model of ["claude-3-5-sonnet-latest", "claude-3-7-sonnet-20250219", "claude-sonnet-4-20250514", "claude-opus-4-20250514"]) {
      expect([model, sampling({ temperature: 0.7, top_p: 0.9 }, model)]).toEqual([model, { temperature: 0.7, top_p: 0.9 }]);
    }
  });
});
