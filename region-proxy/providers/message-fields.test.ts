/**
 * Fields inside a message or a content part that the Anthropic and Gemini translations have no rule
 * for are a 400 naming their path, before any vendor call, as unknown top-level fields are: never
 * dropped in silence. Gemini refuses Anthropic's cache_control so too (Anthropic translates it:
 * anthropic/cache-control.test.ts). The OpenAI fields the translations knowingly ignore (a message's
 * name and annotations, an image's detail; an assistant message's echoed reasoning: reasoning_content,
 * reasoning, reasoning_details) and fields set to null still pass. The attempt trail names
 * only the message or part holding a field the client named, never the name.
 */
import { describe, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { useTranslatingVendors } from "../testing/translating-vendors.ts";
import { sendChat } from "../testing/vendor-behind-proxy.ts";
import { anthropicAdapter } from "./anthropic/adapter.ts";
import { executeChat } from "./execute.ts";
import { geminiAdapter } from "./gemini/adapter.ts";
import type { ChatRequest } from "./types.ts";

const v = useTranslatingVendors();

const hi = { role: "user", content: "hi" };
const image = "data:image/png;base64,iVBORw0KGgo=";
const call = { id: "call_1", type: "function", function: { name: "lookup", arguments: "{}" } };
const lookup = { type: "function", function: { name: "lookup", parameters: { type: "object", properties: {} } } };

describe.each(["anthropic", "gemini"] as const)("%s", (vendor) => {
  const refusedAt = async (messages: unknown[], extra: Record<string, unknown> = {}) => {
    const out = await sendChat(v[vendor]!, { model: "m", messages, ...extra });
    return out.refused ? out.param : "answered";
  };

  test("an unknown field of a message, of any role, is a 400 naming it", async () => {
    expect(await refusedAt([{ ...hi, foo: 1 }])).toBe("messages[0].foo");
    expect(await refusedAt([{ role: "system", content: "be brief", reasoning_content: "x" }, hi])).toBe("messages[0].reasoning_content");
    expect(await refusedAt([{ ...hi, reasoning: "because" }])).toBe("messages[0].reasoning");
    expect(await refusedAt([hi, { role: "assistant", content: "ok", reasoning_details: [], foo: 1 }, hi])).toBe("messages[1].foo");
    expect(await refusedAt([hi, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: "call_1", content: "42", is_error: true }], { tools: [lookup] })).toBe("messages[2].is_error");
  });

  test("an earlier answer's reasoning echoed on an assistant message is dropped: DeepSeek's and vLLM's reasoning_content, OpenRouter's reasoning and reasoning_details", async () => {
    const details = [{ type: "reasoning.text", text: "THOUGHT-C", format: "unknown", index: 0 }];
    const messages = [
      hi,
      { role: "assistant", content: "4", reasoning_content: "THOUGHT-A" },
      { role: "user", content: "and 3+3?" },
      { role: "assistant", content: "6", reasoning: "THOUGHT-B", reasoning_details: details },
      { role: "user", content: "thanks" },
      { role: "assistant", content: "You're welcome.", reasoning_content: "" }, // agents pad every assistant message for DeepSeek's thinking mode
      { role: "user", content: "bye" },
    ];
    const out = await sendChat(v[vendor]!, { model: "m", messages });
    expect(out.refused).toBe(false);
    const sent = JSON.stringify(out.sent);
    for (const thought of ["THOUGHT-A", "THOUGHT-B", "THOUGHT-C", "reasoning"]) expect(sent).not.toContain(thought);
    expect(sent).toContain("You're welcome.");
  });

  test("the reasoning echoes are refused on any other role: only an answer carries them", async () => {
    expect(await refusedAt([{ role: "developer", content: "be brief", reasoning: "x" }, hi])).toBe("messages[0].reasoning");
    expect(await refusedAt([{ ...hi, reasoning_content: "" }])).toBe("messages[0].reasoning_content");
    expect(await refusedAt([{ ...hi, reasoning_details: [] }])).toBe("messages[0].reasoning_details");
    const toolTurn = [hi, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: "call_1", content: "42", reasoning_content: "x" }];
    expect(await refusedAt(toolTurn, { tools: [lookup] })).toBe("messages[2].reasoning_content");
  });

  test("an unknown field of a content part, or of its image_url, is a 400 naming it", async () => {
    expect(await refusedAt([{ role: "user", content: [{ type: "text", text: "hi", foo: 1 }] }])).toBe("messages[0].content[0].foo");
    expect(await refusedAt([{ role: "user", content: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url: image }, text: "a cat" }] }])).toBe("messages[0].content[1].text");
    expect(await refusedAt([{ role: "user", content: [{ type: "image_url", image_url: { url: image, format: "png" } }] }])).toBe("messages[0].content[0].image_url.format");
    expect(await refusedAt([{ role: "system", content: [{ type: "text", text: "be brief", foo: 1 }] }, hi])).toBe("messages[0].content[0].foo");
    expect(await refusedAt([hi, { role: "assistant", content: [{ type: "refusal", refusal: "No.", foo: 1 }] }, hi])).toBe("messages[1].content[0].foo");
  });

  test("what the translations knowingly ignore, and null fields, still pass", async () => {
    const messages = [
      { role: "system", content: "be brief", name: "ops" },
      { role: "user", name: "ann", content: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url: image, detail: "low" } }] },
      { role: "assistant", content: "A dot.", refusal: null, annotations: [], audio: null, function_call: null, foo: null },
      { role: "user", content: [{ type: "text", text: "thanks", foo: null }] },
    ];
    expect(await refusedAt(messages)).toBe("answered");
  });
});

describe("gemini: cache_control (Anthropic's prompt-cache breakpoint, no Gemini equivalent)", () => {
  test("on a part or on a message is a 400 naming it", async () => {
    const ephemeral = { type: "ephemeral" };
    expect((await sendChat(v.gemini!, { model: "m", messages: [{ role: "user", content: [{ type: "text", text: "long prompt", cache_control: ephemeral }] }] })).param).toBe("messages[0].content[0].cache_control");
    expect((await sendChat(v.gemini!, { model: "m", messages: [{ role: "system", content: "long prompt", cache_control: ephemeral }, hi] })).param).toBe("messages[0].cache_control");
    expect((await sendChat(v.gemini!, { model: "m", messages: [hi, { role: "assistant", content: [{ type: "refusal", refusal: "No.", cache_control: ephemeral }] }, hi] })).param).toBe("messages[1].content[0].cache_control");
  });
});

describe.each([
  ["anthropic", anthropicAdapter, "claude-sonnet-4-5"],
  ["gemini", geminiAdapter, "gemini-2.5-flash"],
] as const)("%s: the trail", (provider, adapter, model) => {
  test("names the part holding a field the client named, not the name", async () => {
    const messages = [{ role: "user", content: [{ type: "text", text: "hi", jane_doe_hiv: 1 }] }];
    const req = { model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } } as unknown as ChatRequest;
    const deployment = { id: "d", provider, baseUrl: "http://127.0.0.1:9", model, region: "eu", credentialRef: "env:K" } as SnapshotDeployment;
    const result = await executeChat(req, [{ deployment, adapter }], testExecuteOptions());
    expect(result.ok).toBe(false);
    expect(result.trail.steps.map((s) => s.reason)).toEqual(["unsupported_parameter:messages[0].content[0]"]);
    expect(JSON.stringify(result)).toContain('"param":"messages[0].content[0].jane_doe_hiv"');
  });
});
