/**
 * The Claude 5 models think by default: omitting `thinking` no longer means no thinking (Anthropic's
 * thinking guide as rewritten for 5.x; What's new in Claude Opus 5: thinking on by default,
 * `thinking: {"type": "disabled"}` accepted at effort high or below; What's new in Claude Opus 5.5:
 * "Thinking can't be disabled", also on Fable 5.1; Fable 5 / Mythos 5 refuse `disabled` too), and their
 * display defaults to "omitted". The adapter sent no thinking without reasoning_effort (or with `none`)
 * and left out the echoed thinking_blocks: reasoning_content came back empty, a cut stream was charged
 * none of its thinking, `none` did not stop the thinking it was sent to save, and a tool loop reached
 * Anthropic without its thinking block. Now, on those models: without reasoning_effort, adaptive thinking
 * with display "summarized" (the model's own default effort); echoed thinking_blocks kept; `none` sent
 * as `thinking: {type: "disabled"}` where the model takes it (Opus 5, Haiku 5.5), a 400 naming
 * reasoning_effort where thinking cannot be stopped.
 */
import { describe, expect, test } from "bun:test";
import { readMessagesRequest } from "../../../test/fakes/anthropic-request.ts";
import { fakeSignature } from "../../../test/fakes/anthropic-thinking.ts";
import { anthropicRefusal as refusal } from "../../testing/anthropic-refusal.ts";
import type { ChatRequest } from "../types.ts";
import { toAnthropicBody } from "./request.ts";

const plain = (raw: Record<string, unknown>, f: Partial<ChatRequest> = {}): ChatRequest => ({ model: "a", messages: [{ role: "user", content: "hi" }], stream: true, includeUsage: false, raw, ...f });

describe("without reasoning_effort", () => {
  test("a Claude 5 model is asked for its default thinking with display summarized, no effort of the gateway's", () => {
    for (const model of ["claude-opus-5", "claude-sonnet-5", "claude-fable-5", "claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5", "claude-fable-5-1", "anthropic.claude-opus-5-5"]) {
      const body = toAnthropicBody(plain({}), model);
      expect([model, body.thinking, body.output_config, body.max_tokens]).toEqual([model, { type: "adaptive", display: "summarized" }, undefined, 4096]);
    }
  });

  test("Claude before 5, and an id naming no version, are sent no thinking, as before", () => {
    for (const model of ["claude-opus-4-8", "claude-sonnet-4-5", "claude-sonnet-latest", "claude-mythos-preview"]) expect([model, "thinking" in toAnthropicBody(plain({}), model)]).toEqual([model, false]);
  });

  test("the thinking_blocks a tool loop echoes reach a Claude 5 model first in the turn, as received", () => {
    const block = { type: "thinking", thinking: "Check the weather.", signature: fakeSignature("Check the weather.") };
    const req: ChatRequest = {
      model: "a", stream: false, includeUsage: false, raw: {},
      messages: [
        { role: "user", content: "weather?" },
        { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "w", arguments: "{}" } }], thinking_blocks: [block] } as never,
        { role: "tool", tool_call_id: "t1", content: "sunny" },
      ],
      tools: [{ type: "function", function: { name: "w", parameters: { type: "object" } } }] as never,
    };
    const body = toAnthropicBody(req, "claude-opus-5-5") as { messages: { role: string; content: Record<string, unknown>[] }[] };
    expect(body.messages[1]!.content[0]).toEqual(block);
    expect(typeof readMessagesRequest(body)).not.toBe("string");
  });
});

describe("reasoning_effort none", () => {
  test("is sent as thinking disabled where the model can stop thinking (Opus 5, Haiku 5.5)", () => {
    for (const model of ["claude-opus-5", "claude-haiku-5-5"]) {
      const body = toAnthropicBody(plain({ reasoning_effort: "none" }), model);
      expect([model, body.thinking, body.output_config]).toEqual([model, { type: "disabled" }, undefined]);
    }
  });

  test("is a 400 naming reasoning_effort where the model cannot stop thinking, saying so", () => {
    for (const model of ["claude-opus-5-5", "claude-fable-5-1", "claude-fable-5", "claude-mythos-5", "claude-sonnet-5-5"]) {
      const r = refusal(plain({ reasoning_effort: "none" }), model);
      expect([model, r?.param]).toEqual([model, "reasoning_effort"]);
      expect(r?.message).toContain("cannot stop thinking");
    }
  });

  test("Claude before 5 still gets no thinking for none", () => {
    for (const model of ["claude-opus-4-8", "claude-sonnet-4-5", "claude-3-5-haiku-20241022"]) expect([model, "thinking" in toAnthropicBody(plain({ reasoning_effort: "none" }), model)]).toEqual([model, false]);
  });
});

test("the fake Anthropic refuses thinking disabled where the model cannot stop thinking, and takes it on Opus 5, Haiku 5.5 and Claude 4", () => {
  const read = (model: string) => {
    const r = readMessagesRequest({ model, max_tokens: 100, thinking: { type: "disabled" }, messages: [{ role: "user", content: "hi" }] });
    return typeof r === "string" ? r : "accepted";
  };
  for (const model of ["claude-opus-5-5", "claude-fable-5-1", "claude-fable-5", "claude-sonnet-5-5"]) expect([model, read(model)]).toEqual([model, expect.stringContaining('"thinking.type.disabled" is not supported for this model') as unknown as string]);
  for (const model of ["claude-opus-5", "claude-haiku-5-5", "claude-opus-4-8"]) expect([model, read(model)]).toEqual([model, "accepted"]);
});
