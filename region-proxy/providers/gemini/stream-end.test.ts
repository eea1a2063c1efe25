/**
 * A Gemini stream has no end marker: it is over at the event with the candidate's finishReason and
 * the final usageMetadata, not when Gemini closes the connection. A vendor that keeps the body open
 * after that event gets its call closed, the client its answer and `[DONE]` at once, and the request
 * settles `ok` with the usage of that event; nothing sent after it reaches the client. Usage that
 * comes in its own event after the finishReason is waited for and billed.
 */
import { afterAll, expect, test } from "bun:test";
import { PRICE, waitFor } from "../../testing/proxy-fixture.ts";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";

const encoder = new TextEncoder();
/** One `streamGenerateContent?alt=sse` event, framed with CRLF as Gemini sends it. */
const event = (body: unknown) => `data: ${JSON.stringify({ ...(body as object), modelVersion: "gemini-x", responseId: "r1" })}\r\n\r\n`;
const text = (t: string, extra: Record<string, unknown> = {}) => ({ candidates: [{ content: { role: "model", parts: [{ text: t }] }, index: 0, ...extra }] });
const counts = { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 };
const answer = event({ ...text("Hello"), usageMetadata: { trafficType: "ON_DEMAND" } }) + event({ ...text(" there", { finishReason: "STOP" }), usageMetadata: counts });

/** What each vendor model streams, and whether the body stays open after it. */
const SCRIPTS: Record<string, { body: string; keepOpen: boolean }> = {
  "finish-then-open": { body: answer, keepOpen: true },
  "finish-then-more": { body: answer + event({ ...text("INJECTED", { finishReason: "STOP" }), usageMetadata: { promptTokenCount: 500, candidatesTokenCount: 500, totalTokenCount: 1000 } }), keepOpen: false },
  "usage-after-finish-then-open": {
    body: event(text("Hello")) + event(text(" there", { finishReason: "STOP" })) + event({ usageMetadata: counts }),
    keepOpen: true,
  },
};
/** Models whose stream the proxy closed (the vendor saw its response cancelled). */
const closedByProxy = new Set<string>();

const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  idleTimeout: 0,
  fetch(req) {
    const model = decodeURIComponent(/\/models\/([^/:]+):streamGenerateContent/.exec(new URL(req.url).pathname)![1]!);
    const script = SCRIPTS[model]!;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        // One event per write, as Gemini streams, so the proxy reads them in several reads.
        for (const piece of script.body.split(/(?<=\r\n\r\n)/)) controller.enqueue(encoder.encode(piece));
        if (!script.keepOpen) controller.close();
      },
      cancel() {
        closedByProxy.add(model);
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  },
});

const t = useVendorProxy({
  configure(s) {
    for (const model of Object.keys(SCRIPTS)) {
      s.deployments[`dep_${model}`] = fakeDeployment(`dep_${model}`, "gemini", `http://127.0.0.1:${vendor.port}`, model);
      s.aliases[model] = { name: model, chain: [`dep_${model}`] };
      s.pricing[`gemini:${model}`] = PRICE;
    }
  },
  // A short deadline: without an end, a stream kept open would end in an upstream_timeout.
  proxy: { totalTimeoutMs: 3_000 },
});
afterAll(() => vendor.stop(true));

async function stream(model: string) {
  const started = Date.now();
  const res = await fetch(`${t.proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], stream: true, stream_options: { include_usage: true } }),
  });
  const body = await res.text();
  const elapsedMs = Date.now() - started;
  return { status: res.status, body, elapsedMs, event: await t.usageEvent(res.headers.get("x-request-id")) };
}

for (const model of ["finish-then-open", "usage-after-finish-then-open"]) {
  test(`${model}: the answer ends at the event with the finishReason and usage, the vendor call is closed, the request is ok with that usage`, async () => {
    const { status, body, elapsedMs, event } = await stream(model);
    expect(status).toBe(200);
    expect(body).toContain('"content":"Hello"');
    expect(body).toContain('"content":" there"');
    expect(body).toContain('"finish_reason":"stop"');
    expect(body).toContain('"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7,');
    expect(body).not.toContain('"error"');
    expect(body.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(elapsedMs).toBeLessThan(2_000);
    expect(event.status).toBe("ok");
    expect(event.usage).toMatchObject({ inputTokens: 5, outputTokens: 2 });
    await waitFor(() => closedByProxy.has(model), "the vendor stream closed");
  });
}

test("finish-then-more: nothing Gemini sends after the finishReason and usage event reaches the client or the bill", async () => {
  const { body, event } = await stream("finish-then-more");
  expect(body).toContain('"content":" there"');
  expect(body).not.toContain("INJECTED");
  expect(body).not.toContain('"error"');
  expect(event.status).toBe("ok");
  expect(event.usage).toMatchObject({ inputTokens: 5, outputTokens: 2 });
});
