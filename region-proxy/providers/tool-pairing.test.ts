/**
 * checkToolPairing and an assistant message whose tool_calls repeat an id: one answer let it through as
 * two calls with one answer (Gemini: 2 functionCall, 1 functionResponse, its 400 after the call;
 * Anthropic: a tool_use left without its tool_result), two answers were refused as "already answered"
 * on the second tool message. Both vendors refuse it, so it is refused before the call, naming the
 * repeated id.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../testing/vendor-behind-proxy.ts";
import { checkToolPairing } from "./tool-pairing.ts";
import type { ChatMessage } from "./types.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

const call = (id: string) => ({ id, type: "function" as const, function: { name: "lookup", arguments: "{}" } });
const answer = (id: string) => ({ role: "tool" as const, tool_call_id: id, content: id });
const twice = (...answers: ReturnType<typeof answer>[]) =>
  [{ role: "user", content: "look up" }, { role: "assistant", content: null, tool_calls: [call("a"), call("b"), call("a")] }, ...answers] as ChatMessage[];

function refusal(messages: ChatMessage[]): UnsupportedParameterError {
  try {
    checkToolPairing(messages);
  } catch (error) {
    if (error instanceof UnsupportedParameterError) return error;
    throw error;
  }
  throw new Error("not refused");
}

test("a repeated id in one message's tool_calls is refused, naming the repeat, however it is answered", () => {
  for (const messages of [twice(answer("a"), answer("b")), twice(answer("a"), answer("b"), answer("a")), twice()]) {
    const error = refusal(messages);
    expect(error.param).toBe("messages[1].tool_calls[2].id");
    expect(error.message).toContain("'a'");
  }
});

test("the same id in two assistant messages is still taken (OpenAI pairs answers with the message just before)", () => {
  expect(() =>
    checkToolPairing([
      { role: "user", content: "look up" },
      { role: "assistant", content: null, tool_calls: [call("a")] },
      answer("a"),
      { role: "assistant", content: null, tool_calls: [call("a")] },
      answer("a"),
    ] as ChatMessage[]),
  ).not.toThrow();
});

describe("through the proxy to Gemini", () => {
  let vp: VendorBehindProxy;
  beforeAll(async () => {
    vp = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { g: "gemini-2.5-flash" });
  });
  afterAll(async () => {
    await vp?.stop();
  });

  test("a repeated call id is a 400 naming it, with no vendor call", async () => {
    const { refused, param } = await sendChat(vp, { model: "g", messages: twice(answer("a"), answer("b")) });
    expect([refused, param]).toEqual([true, "messages[1].tool_calls[2].id"]);
  });
});
