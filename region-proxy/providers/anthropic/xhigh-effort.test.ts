/**
 * reasoning_effort xhigh reaches Claude only where Anthropic's effort page lists it: "xhigh … Available
 * on Claude Fable 5, Claude Mythos 5, Claude Opus 5, Claude Opus 4.8, Claude Opus 4.7, and Claude Sonnet
 * 5" (https://platform.claude.com/docs/en/build-with-claude/effort), and the later versions of those
 * lines; max is listed for Claude Mythos Preview too, xhigh not. 260fe58 sent xhigh wherever the model
 * thinks only adaptively, which an id naming no version (claude-mythos-preview) is taken to: Anthropic's
 * 400 then failed the chain. Elsewhere it is a 400 naming reasoning_effort before the call.
 */
import { expect, test } from "bun:test";
import { readMessagesRequest } from "../../../test/fakes/anthropic-request.ts";
import { anthropicRefusal } from "../../testing/anthropic-refusal.ts";
import type { ChatRequest } from "../types.ts";
import { takesXhighEffort } from "./claude-generation.ts";
import { toAnthropicBody } from "./request.ts";

const req = (effort: string): ChatRequest => ({ model: "a", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw: { reasoning_effort: effort } });
const param = (model: string) => anthropicRefusal(req("xhigh"), model)?.param ?? "sent";

test("xhigh is sent to the models the effort page lists, and later versions of their lines", () => {
  for (const model of ["claude-opus-4-7", "claude-opus-4-8", "claude-opus-5", "claude-sonnet-5", "claude-fable-5", "claude-mythos-5", "claude-opus-5-5", "anthropic.claude-opus-4-7"]) {
    expect([model, param(model), takesXhighEffort(model)]).toEqual([model, "sent", true]);
  }
});

test("xhigh to Claude Mythos Preview (max only), an id naming no version, Haiku or Claude before Opus 4.7 is a 400 naming reasoning_effort", () => {
  for (const model of ["claude-mythos-preview", "claude-sonnet-latest", "claude-haiku-5-5", "claude-opus-4-6", "claude-sonnet-4-5"]) {
    expect([model, param(model)]).toEqual([model, "reasoning_effort"]);
  }
  // max, and the efforts each model takes, are unchanged on Mythos Preview.
  expect(toAnthropicBody(req("high"), "claude-mythos-preview").output_config).toEqual({ effort: "high" });
});

test("the fake Anthropic refuses output_config.effort xhigh on Claude Mythos Preview and takes max there", () => {
  const body = (effort: string) => ({ model: "claude-mythos-preview", max_tokens: 100, thinking: { type: "adaptive" }, output_config: { effort }, messages: [{ role: "user", content: "hi" }] });
  expect(readMessagesRequest(body("xhigh"))).toBe("output_config.effort: Input should be 'low', 'medium', 'high' or 'max'");
  expect(typeof readMessagesRequest(body("max"))).not.toBe("string");
});
