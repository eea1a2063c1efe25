/**
 * An answer with no choice at all is no answer. Unstreamed, parseOpenAIResponse refuses it
 * (invalid_response: retried, then the next deployment answers); streamed, the same vendor answer
 * (only the usage chunk, or nothing but [DONE]) is refused the same way before its first byte reaches
 * the client, the calls refused charged the usage their vendor reported. Committed, it would reach the
 * client as a 200 carrying nothing but [DONE], on which the SDK's stream helper fails ("request ended
 * without sending any chunks"), and the breaker would hear success.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseOpenAI, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const USAGE = { prompt_tokens: 10, completion_tokens: 0, total_tokens: 10 };
const noChoice = { id: "c", object: "chat.completion", created: 1, model: "m", choices: [] };
let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor(
    {
      "usage-only": { provider: "openai", json: { ...noChoice, usage: USAGE }, sse: sseOpenAI({ ...noChoice, object: "chat.completion.chunk", usage: USAGE }) },
      "done-only": { provider: "azure", json: noChoice, sse: "data: [DONE]\n\n" },
    },
    true, // each alias falls back to the echo deployment
  );
});
afterAll(() => v.stop());

for (const model of ["usage-only", "done-only"]) {
  test(`${model}: a stream without any choice falls back before its first byte, as the unstreamed answer does`, async () => {
    const plain = await v.chat(model);
    expect(plain.event.fallback).toBe(true);

    const final = await v.client.chat.completions.stream({ model, messages: [{ role: "user", content: "hi" }] }).finalChatCompletion();
    expect(final.choices[0]!.message.content).toContain("Echo:");

    const streamed = await v.stream(model);
    expect(streamed.error).toBeNull();
    expect(streamed.content).toContain("Echo:");
    expect(streamed.event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
  });
}

test("the refused stream's calls are charged the usage their vendor reported", async () => {
  const before = v.calls.get("usage-only") ?? 0;
  const { event, usage } = await v.stream("usage-only");
  const refusedCalls = (v.calls.get("usage-only") ?? 0) - before;
  expect(refusedCalls).toBeGreaterThan(0);
  // The echo's own prompt tokens, plus the 10 the scripted vendor reported on each refused call.
  expect(event.usage.inputTokens).toBe(usage!.prompt_tokens + 10 * refusedCalls);
});
