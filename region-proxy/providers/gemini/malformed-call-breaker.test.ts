/**
 * Gemini's MALFORMED_FUNCTION_CALL is the model's answer to one caller's prompt and tools, not a sign
 * the deployment is down: a caller whose tool schema the model keeps botching must not open the
 * deployment's circuit (the proxy's default breaker: 3 consecutive failures) for every other caller,
 * whether the botched call comes unstreamed, in a stream before its first chunk, or after it. It is
 * still refused (502 upstream_invalid_response, or the next deployment) and not retried on the same
 * deployment.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../../testing/proxy-fixture.ts";

let vendor: ReturnType<typeof Bun.serve>;
let fx: ProxyFixture;
let proxy: RunningProxy;
let calls = 0;
const usageMetadata = { promptTokenCount: 10, candidatesTokenCount: 2, totalTokenCount: 12 };
const sse = (...events: unknown[]) => new Response(events.map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`).join(""), { headers: { "content-type": "text/event-stream" } });
const malformed = { content: { role: "model", parts: [] }, finishReason: "MALFORMED_FUNCTION_CALL", index: 0 };

beforeAll(async () => {
  vendor = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    async fetch(req) {
      calls++;
      const body = (await req.json()) as { tools?: unknown; contents: { parts: { text?: string }[] }[] };
      const late = body.contents[0]?.parts[0]?.text === "late";
      if (new URL(req.url).pathname.includes("streamGenerateContent")) {
        if (!body.tools) return sse({ candidates: [{ content: { role: "model", parts: [{ text: "Hello" }] }, finishReason: "STOP", index: 0 }], usageMetadata });
        // The documented shape (https://ai.google.dev/api/generate-content#FinishReason): no content.
        if (!late) return sse({ candidates: [malformed], usageMetadata });
        return sse({ candidates: [{ content: { role: "model", parts: [{ text: "Let me check." }] }, index: 0 }] }, { candidates: [malformed], usageMetadata });
      }
      if (body.tools) return Response.json({ candidates: [malformed], usageMetadata });
      return Response.json({ candidates: [{ content: { role: "model", parts: [{ text: "Hello" }] }, finishReason: "STOP", index: 0 }], usageMetadata });
    },
  });
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      // One deployment (one circuit) per test, so each starts closed.
      for (const name of ["plain", "early", "late"]) {
        s.deployments[`dep_${name}`] = { id: `dep_${name}`, provider: "gemini", baseUrl: `http://127.0.0.1:${vendor.port}`, model: `gemini-${name}`, region: REGION, credentialRef: "env:ECHO_KEY" };
        s.aliases[name] = { name, chain: [`dep_${name}`] };
        s.pricing[`gemini:gemini-${name}`] = { input: 1_000_000, output: 2_000_000 };
      }
    }),
  );
  proxy = await fx.startProxy(); // the default breaker: 3 consecutive failures, 30 s cool-down
});
afterAll(async () => {
  await fx.cleanup();
  vendor.stop(true);
});

const tools = [{ type: "function" as const, function: { name: "f", parameters: { type: "object", properties: { x: { type: "string" } } } } }];

/** A plain chat (no tools), which the deployment answers: it is called, not skipped for an open circuit. */
async function plainChatAnswers(model: string) {
  const before = calls;
  const answer = await fx.client(proxy).chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });
  expect(calls).toBe(before + 1);
  expect(answer.choices[0]!.message.content).toBe("Hello");
}

test("unstreamed: botched tool calls are 502s, one call each, and leave the deployment open to a plain chat", async () => {
  for (let i = 0; i < 4; i++) {
    const before = calls;
    const error = await fx.client(proxy).chat.completions.create({ model: "plain", messages: [{ role: "user", content: "call f" }], tools }).catch((e) => e);
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_invalid_response");
    // Not retried on the same deployment: the model just botched this request's call.
    expect(calls).toBe(before + 1);
  }
  await plainChatAnswers("plain");
});

test("streamed before the first chunk: the same 502, and the deployment stays open", async () => {
  for (let i = 0; i < 4; i++) {
    const error = await fx.client(proxy).chat.completions.create({ model: "early", messages: [{ role: "user", content: "call f" }], tools, stream: true }).catch((e) => e);
    expect(error.status).toBe(502);
  }
  await plainChatAnswers("early");
});

test("streamed after text went out: an error frame ends each stream, and the deployment stays open", async () => {
  for (let i = 0; i < 4; i++) {
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "late", messages: [{ role: "user", content: "late" }], tools, stream: true }),
    });
    const text = await res.text();
    expect(text).toContain("Let me check.");
    expect(text).toContain("upstream_invalid_response");
  }
  await plainChatAnswers("late");
});
