/**
 * OpenAI's reasoning_effort was refused on every Anthropic deployment ("This provider does not support
 * reasoning_effort."), so Claude's extended thinking could not be used through the gateway, and an alias
 * falling back from an OpenAI reasoning model to Claude skipped Claude for every such request. It now
 * becomes `thinking: {type: "enabled", budget_tokens}` on a Claude model that thinks (thinking.ts), with
 * max_tokens never above the cap the client named or the gateway reserved, and each field Anthropic
 * refuses beside thinking a 400 naming it before the call.
 */
import { describe, expect, test } from "bun:test";
import { anthropicRefusal } from "../../testing/anthropic-refusal.ts";
import type { ChatRequest } from "../types.ts";
import { toAnthropicBody } from "./request.ts";

const req = (f: Partial<ChatRequest>, effort: unknown = "low"): ChatRequest => ({
  model: "a",
  messages: [{ role: "user", content: "hi" }],
  stream: false,
  includeUsage: false,
  ...f,
  raw: { reasoning_effort: effort, ...f.raw },
});
const refusal = (r: ChatRequest, model = "claude-sonnet-4-5") => anthropicRefusal(r, model);

describe("reasoning_effort → extended thinking", () => {
  test("low, medium and high are budgets of 1024, 2048 and 4096 tokens; without a cap max_tokens is the budget plus the usual 4096", () => {
    for (const [effort, budget] of [["low", 1024], ["medium", 2048], ["high", 4096]] as const) {
      const body = toAnthropicBody(req({}, effort), "claude-sonnet-4-5");
      expect([effort, body.thinking, body.max_tokens]).toEqual([effort, { type: "enabled", budget_tokens: budget }, budget + 4096]);
    }
  });

  test("the Claude models that take a budget get it: 3.7 Sonnet, 4.0 to 4.6", () => {
    for (const model of ["claude-3-7-sonnet-20250219", "claude-opus-4-20250514", "claude-haiku-4-5", "claude-opus-4-6", "claude-sonnet-4-6"]) {
      expect([model, toAnthropicBody(req({}, "medium"), model).thinking]).toEqual([model, { type: "enabled", budget_tokens: 2048 }]);
    }
  });

  test("Opus 4.7 and later, which refuse a budget, and an id naming no version think adaptively at the effort asked", () => {
    for (const model of ["claude-opus-4-7", "claude-opus-5", "claude-sonnet-latest"]) {
      const body = toAnthropicBody(req({}, "medium"), model);
      expect([model, body.thinking, body.output_config, body.max_tokens]).toEqual([model, { type: "adaptive", display: "summarized" }, { effort: "medium" }, 2048 + 4096]);
    }
    // max_tokens still caps thinking and answer together: a client cap is sent as it is, with no budget to fit.
    expect(toAnthropicBody(req({ max_tokens: 1000 }, "high"), "claude-opus-4-7").max_tokens).toBe(1000);
    expect(refusal(req({ temperature: 0.2 }), "claude-opus-4-7")?.param).toBe("temperature");
    expect(refusal(req({}, "minimal"), "claude-opus-4-7")?.param).toBe("reasoning_effort");
  });

  test("none asks for no thinking, on any Claude model; null and absent likewise", () => {
    for (const model of ["claude-sonnet-4-5", "claude-3-5-haiku-20241022"]) {
      const body = toAnthropicBody(req({}, "none"), model);
      expect([model, "thinking" in body, body.max_tokens]).toEqual([model, false, 4096]);
    }
    expect("thinking" in toAnthropicBody(req({}, null), "claude-sonnet-4-5")).toBe(false);
  });

  test("on a model that does not think, any other value is still a 400 naming reasoning_effort", () => {
    for (const model of ["claude-3-5-sonnet-latest", "claude-3-5-haiku-20241022", "claude-3-opus-20240229"]) {
      expect([model, refusal(req({}, "low"), model)?.param]).toEqual([model, "reasoning_effort"]);
    }
  });

  test("minimal (Claude cannot think less than low), xhigh on a budget, other strings and non-strings are refused naming reasoning_effort", () => {
    for (const effort of ["minimal", "xhigh", "max", "constructor", 3, { level: "high" }]) {
      const thrown = refusal(req({}, effort));
      expect([effort, thrown?.param]).toEqual([effort, "reasoning_effort"]);
    }
    expect(refusal(req({}, "minimal"))?.message).toContain("'low'");
    expect(refusal(req({}, "xhigh"), "claude-opus-4-6")?.param).toBe("reasoning_effort");
  });

  test("xhigh, an effort Anthropic lists for Opus 4.7 and later (not Mythos Preview: xhigh-effort.test.ts), is sent there as it is; max stays refused", () => {
    for (const model of ["claude-opus-4-7", "claude-opus-5"]) {
      const body = toAnthropicBody(req({}, "xhigh"), model);
      expect([model, body.thinking, body.output_config, body.max_tokens]).toEqual([model, { type: "adaptive", display: "summarized" }, { effort: "xhigh" }, 8192 + 4096]);
    }
    expect(refusal(req({}, "max"), "claude-opus-4-7")?.param).toBe("reasoning_effort");
  });
});

describe("max_tokens is never raised above the request's cap", () => {
  test("a client cap above the budget is sent as it is: thinking counts toward it, as reasoning does toward OpenAI's", () => {
    expect(toAnthropicBody(req({ max_tokens: 5000 }, "high"), "claude-sonnet-4-5").max_tokens).toBe(5000);
    expect(toAnthropicBody(req({ max_completion_tokens: 1025 }, "low"), "claude-sonnet-4-5").max_tokens).toBe(1025);
  });

  test("a client cap at or below the budget is a 400 naming the field the client sent", () => {
    const legacy = refusal(req({ max_tokens: 1024 }, "low"));
    expect(legacy?.param).toBe("max_tokens");
    expect(legacy?.message).toContain("1024");
    expect(refusal(req({ max_completion_tokens: 3000 }, "high"))?.param).toBe("max_completion_tokens");
    // max_completion_tokens is what is sent when both are given.
    expect(refusal(req({ max_tokens: 9000, max_completion_tokens: 2048 }, "medium"))?.param).toBe("max_completion_tokens");
  });

  test("the gateway's reserved cap (a budget or TPM limit, no client cap) is kept: high does not fit 4096 and is refused naming max_completion_tokens", () => {
    expect(refusal(req({ outputCap: 4096 }, "high"))?.param).toBe("max_completion_tokens");
    expect(toAnthropicBody(req({ outputCap: 4096 }, "medium"), "claude-sonnet-4-5").max_tokens).toBe(4096);
  });
});

describe("what Anthropic refuses beside thinking is a 400 naming the client's field before the call", () => {
  test("temperature other than 1", () => {
    expect(refusal(req({ temperature: 0.2 }))?.param).toBe("temperature");
    expect(refusal(req({ temperature: 0 }))?.param).toBe("temperature");
    expect(toAnthropicBody(req({ temperature: 1 }), "claude-sonnet-4-5").temperature).toBe(1);
  });

  test("top_p below 0.95", () => {
    expect(refusal(req({ top_p: 0.9 }), "claude-3-7-sonnet-20250219")?.param).toBe("top_p");
    expect(toAnthropicBody(req({ top_p: 0.95 }), "claude-3-7-sonnet-20250219").top_p).toBe(0.95);
  });

  test("a forced tool_choice, and a JSON response_format Anthropic's JSON outputs cannot carry (json_object: its answer would be the forced JSON tool)", () => {
    const tools = [{ type: "function", function: { name: "w", parameters: { type: "object" } } }];
    expect(refusal(req({ tools, tool_choice: "required" }))?.param).toBe("tool_choice");
    expect(refusal(req({ tools, tool_choice: { type: "function", function: { name: "w" } } }))?.param).toBe("tool_choice");
    expect(refusal(req({ response_format: { type: "json_object" } }))?.param).toBe("response_format");
    expect(toAnthropicBody(req({ tools, tool_choice: "auto" }), "claude-sonnet-4-5").tool_choice).toEqual({ type: "auto" });
    expect(toAnthropicBody(req({ tools, tool_choice: "none" }), "claude-sonnet-4-5").thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
  });

  test("a conversation ending on an assistant message (a prefill), naming that message", () => {
    const messages: ChatRequest["messages"] = [{ role: "user", content: "List colours." }, { role: "assistant", content: "[" }];
    expect(refusal(req({ messages }), "claude-sonnet-4-5")?.param).toBe("messages[1]");
  });

  test("top_k stays refused on Anthropic", () => {
    expect(refusal(req({ raw: { top_k: 5 } }))?.param).toBe("top_k");
  });
});

test("a tool loop whose first step has no thinking block is sent without thinking (Anthropic refuses a thinking turn not starting with one), as LiteLLM drops it", () => {
  const call = { id: "toolu_1", type: "function" as const, function: { name: "w", arguments: "{}" } };
  const messages: ChatRequest["messages"] = [
    { role: "user", content: "weather?" },
    { role: "assistant", content: null, tool_calls: [call] },
    { role: "tool", tool_call_id: "toolu_1", content: "sunny" },
  ];
  const tools = [{ type: "function", function: { name: "w", parameters: { type: "object" } } }];
  const body = toAnthropicBody(req({ messages, tools, temperature: 0.3 }, "high"), "claude-sonnet-4-5");
  expect("thinking" in body).toBe(false);
  expect(body.max_tokens).toBe(4096);
  expect(body.temperature).toBe(0.3);
  // A tool loop closed by a later plain answer does not hold thinking back.
  const closed: ChatRequest["messages"] = [...messages, { role: "assistant", content: "Sunny." }, { role: "user", content: "And tomorrow?" }];
  expect(toAnthropicBody(req({ messages: closed, tools }, "high"), "claude-sonnet-4-5").thinking).toEqual({ type: "enabled", budget_tokens: 4096 });
  // Adaptive thinking may skip a turn's thinking: such a turn does not hold it back.
  expect(toAnthropicBody(req({ messages, tools }, "high"), "claude-opus-4-7").thinking).toEqual({ type: "adaptive", display: "summarized" });
});
