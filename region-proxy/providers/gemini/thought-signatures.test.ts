/**
 * Gemini's thought signatures through the proxy to the fake Gemini, read through the official SDK: a
 * gemini-3 model signs its function calls, the signature reaches the client as Google's OpenAI-compatible
 * endpoint carries it (tool_calls[i].extra_content.google.thought_signature), and a client that sends the
 * assistant message back as it came gets it to Gemini on the next turn, streamed or not.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { sendChat, startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let fake: FakeVendor;
let client: OpenAI;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, client, stop } = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { g3: "gemini-3-pro-preview" }));
});
afterAll(() => stop());

const tools = [{ type: "function" as const, function: { name: "lookup", parameters: { type: "object", properties: { echo: { type: "string" } } } } }];
const ask = { role: "user" as const, content: "please call tool" };
const signatureOf = (call: unknown) => (call as { extra_content?: { google?: { thought_signature?: unknown } } }).extra_content?.google?.thought_signature;
/** The thoughtSignature of each functionCall part of the model turn the fake received last. */
const replayedSignatures = () => {
  const contents = (fake.lastRequest()!.body as { contents: { role: string; parts: Record<string, unknown>[] }[] }).contents;
  return contents.find((c) => c.role === "model")!.parts.filter((p) => p.functionCall).map((p) => p.thoughtSignature);
};
/** What the fake issued on its last answer's function call. */
const issued = async (res: Response) => ((await res.json()) as { candidates: { content: { parts: { thoughtSignature?: string }[] } }[] }).candidates[0]!.content.parts[0]!.thoughtSignature;

describe("gemini thought signatures, through the SDK", () => {
  test("unstreamed: the call carries Gemini's signature in extra_content, and the next turn sends it back to Gemini", async () => {
    const first = await client.chat.completions.create({ model: "g3", messages: [ask], tools });
    const message = first.choices[0]!.message;
    const signature = signatureOf(message.tool_calls![0]);
    expect(typeof signature).toBe("string");
    const second = await client.chat.completions.create({ model: "g3", messages: [ask, message, { role: "tool", tool_call_id: message.tool_calls![0]!.id, content: "42" }], tools });
    expect(second.choices[0]!.message.content).toBe("Echo: tool result received");
    expect(replayedSignatures()).toEqual([signature]);
  });

  test("streamed: the delta that starts the call carries it, the SDK's stream helper keeps it, and the next turn sends it back", async () => {
    const chunks = await client.chat.completions.create({ model: "g3", messages: [ask], tools, stream: true });
    const starts: unknown[] = [];
    for await (const chunk of chunks) for (const call of chunk.choices[0]?.delta.tool_calls ?? []) if (call.id) starts.push(call);
    expect(starts).toHaveLength(1);
    expect(typeof signatureOf(starts[0])).toBe("string");

    const runner = client.chat.completions.stream({ model: "g3", messages: [ask], tools });
    const message = (await runner.finalChatCompletion()).choices[0]!.message;
    const signature = signatureOf(message.tool_calls![0]);
    expect(typeof signature).toBe("string");
    const next = client.chat.completions.stream({ model: "g3", messages: [ask, message, { role: "tool", tool_call_id: message.tool_calls![0]!.id, content: "42" }], tools });
    expect(await next.finalContent()).toBe("Echo: tool result received");
    expect(replayedSignatures()).toEqual([signature]);
  });

  for (const stream of [false, true]) {
    test(`runTools, stream=${stream}: the SDK's runner replays tool calls without extra_content, so Gemini gets the bypass value and the loop still ends`, async () => {
      const runnable = [{ type: "function" as const, function: { ...tools[0]!.function, function: async () => "42", parse: JSON.parse } }];
      const runner = client.chat.completions.runTools({ model: "g3", stream, messages: [ask], tools: runnable } as never) as unknown as { finalContent(): Promise<string | null> };
      expect(await runner.finalContent()).toBe("Echo: tool result received");
      // openai-node's runner (AbstractChatCompletionRunner's toRequestMessage) keeps only id, type and
      // function of each call it sends back; README says so.
      expect(replayedSignatures()).toEqual(["skip_thought_signature_validator"]);
    });
  }

  test("of several calls, each signed one goes back with its own signature; the bypass only on a first call without one", async () => {
    const call = (id: string, signature?: string) => ({ id, type: "function", function: { name: "lookup", arguments: "{}" }, ...(signature ? { extra_content: { google: { thought_signature: signature } } } : {}) });
    const res = await fetch(`${fake.url}/v1beta/models/gemini-3-pro-preview:generateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": "vendor-fake-key", "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "call tool" }] }], tools: [{ functionDeclarations: [{ name: "lookup" }] }] }),
    });
    const signature = await issued(res);
    const history = (calls: unknown[]) => [ask, { role: "assistant", content: null, tool_calls: calls }, ...calls.map((c) => ({ role: "tool", tool_call_id: (c as { id: string }).id, content: "42" }))];
    expect((await sendChat({ client, fake }, { model: "g3", tools, messages: history([call("a", signature), call("b")]) })).refused).toBe(false);
    expect(replayedSignatures()).toEqual([signature, undefined]);
    expect((await sendChat({ client, fake }, { model: "g3", tools, messages: history([call("a"), call("b", signature)]) })).refused).toBe(false);
    expect(replayedSignatures()).toEqual(["skip_thought_signature_validator", signature]);
  });

  test("a thought_signature that is not a string is a 400 naming it, without a vendor call", async () => {
    const messages = [ask, { role: "assistant", content: null, tool_calls: [{ id: "a", type: "function", function: { name: "lookup", arguments: "{}" }, extra_content: { google: { thought_signature: 5 } } }] }, { role: "tool", tool_call_id: "a", content: "42" }];
    expect(await sendChat({ client, fake }, { model: "g3", tools, messages })).toMatchObject({ refused: true, param: "messages[1].tool_calls[0].extra_content.google.thought_signature" });
  });
});
