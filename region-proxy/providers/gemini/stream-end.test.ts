/**
 * A Gemini stream has no end marker, and an older model puts the finishReason and the usage so far on
 * every event, so no event can be taken for the last by itself. From the event with the candidate's
 * finishReason and usage counts on, the answer reads complete: later events are still translated
 * (an older model's whole answer, billed at its last usage), the stream ends at EOF, and a vendor that
 * keeps the body open after its last event gets its call closed once the body stays silent for the
 * grace: END_GRACE_MS when an earlier event came without a finishReason (a current model, whose
 * finishReason event is its last), LEGACY_END_GRACE_MS when every event carried one (an older model,
 * whose pauses between events must not cut its answer). The client then gets its answer and `[DONE]`,
 * the request settles `ok` with that event's usage, and nothing sent later reaches the client. Usage
 * that comes in its own event after the finishReason is waited for and billed. A client that leaves,
 * or the deadline, while the proxy waits still ends the stream.
 */
import { afterAll, expect, test } from "bun:test";
import { PRICE, waitFor } from "../../testing/proxy-fixture.ts";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";
import { fixtureText } from "../../../test/fixtures/replay.ts";
import { END_GRACE_MS, LEGACY_END_GRACE_MS } from "./stream.ts";

const encoder = new TextEncoder();
/** One `streamGenerateContent?alt=sse` event, framed with CRLF as Gemini sends it. */
const event = (body: unknown) => `data: ${JSON.stringify({ ...(body as object), modelVersion: "gemini-x", responseId: "r1" })}\r\n\r\n`;
const text = (t: string, extra: Record<string, unknown> = {}) => ({ candidates: [{ content: { role: "model", parts: [{ text: t }] }, index: 0, ...extra }] });
const counts = { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 };
const answer = event({ ...text("Hello"), usageMetadata: { trafficType: "ON_DEMAND" } }) + event({ ...text(" there", { finishReason: "STOP" }), usageMetadata: counts });

/** An older model's recorded stream: finishReason STOP and the usage so far on each of its five events. */
const legacy = await fixtureText("gemini", "stream-text-legacy-usage.sse");
/** An older model's event with the usage so far, `output` tokens of it. */
const legacyEvent = (t: string, output: number) => event({ ...text(t, { finishReason: "STOP" }), usageMetadata: { promptTokenCount: 21, candidatesTokenCount: output, totalTokenCount: 21 + output } });
const LEGACY_TEXT = "def bubble_sort(list1):\n  n = len(list1)\n  for i in range(n-1):\n    for j in range(n-i-1):\n      if list1[j] > list1[j+1]:\n        list1[j], list1[j+1] = list1[j+1], list1[j]\n  return list1\n";

/**
 * What each vendor model streams, one event per write, `gapMs` apart; whether the body then stays
 * open; and what it sends `late` (ms after its last event) before it closes.
 */
const SCRIPTS: Record<string, { body: string; keepOpen: boolean; gapMs?: number; late?: { afterMs: number; body: string } }> = {
  "finish-then-open": { body: answer, keepOpen: true },
  "finish-then-open-client-leaves": { body: answer, keepOpen: true },
  "finish-then-late": {
    body: answer,
    keepOpen: true,
    late: { afterMs: END_GRACE_MS + 500, body: event({ ...text("INJECTED", { finishReason: "STOP" }), usageMetadata: { promptTokenCount: 500, candidatesTokenCount: 500, totalTokenCount: 1000 } }) },
  },
  "usage-after-finish-then-open": {
    body: event(text("Hello")) + event(text(" there", { finishReason: "STOP" })) + event({ usageMetadata: counts }),
    keepOpen: true,
  },
  // The finishReason event carries the prompt's count only (as Gemini's events before the last do);
  // the output and thinking counts come in a usage-only event later than the grace.
  "prompt-counts-then-late-usage": {
    body: event({ ...text("Hello"), usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } }) + event({ ...text(" there", { finishReason: "STOP" }), usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } }),
    keepOpen: true,
    late: { afterMs: END_GRACE_MS + 500, body: event({ usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, thoughtsTokenCount: 40, totalTokenCount: 47 } }) },
  },
  // A thinking model's finishReason event carries the prompt's and the thoughts' counts (as each of its
  // events does), not the answer's (candidatesTokenCount): the answer's counts come later than the grace.
  "thoughts-counts-then-late-usage": {
    body: event({ ...text("Hello"), usageMetadata: { promptTokenCount: 5, thoughtsTokenCount: 40, totalTokenCount: 45 } }) + event({ ...text(" there", { finishReason: "STOP" }), usageMetadata: { promptTokenCount: 5, thoughtsTokenCount: 40, totalTokenCount: 45 } }),
    keepOpen: true,
    late: { afterMs: END_GRACE_MS + 500, body: event({ usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, thoughtsTokenCount: 40, totalTokenCount: 47 } }) },
  },
  "legacy-usage": { body: legacy, keepOpen: false },
  // Held open: its grace (LEGACY_END_GRACE_MS) is longer than the 3 s deadline, which ends it.
  "legacy-usage-then-open": { body: legacy, keepOpen: true },
  // 2 s from its first event to its last: longer than END_GRACE_MS, but each event comes within it.
  "legacy-usage-slow": { body: legacy, keepOpen: false, gapMs: END_GRACE_MS / 2 },
  // Two events 1.5 s apart, a pause longer than END_GRACE_MS: an older model's answer is not cut there.
  "legacy-usage-paused": { body: legacyEvent("part one, ", 5) + legacyEvent("part two.", 10), keepOpen: false, gapMs: 1_500 },
  // The answer's last event 2.6 s in, held open: the 3 s deadline comes while the proxy waits.
  "finish-near-deadline": { body: event(text("Hello")) + event({ ...text(" there", { finishReason: "STOP" }), usageMetadata: counts }), keepOpen: true, gapMs: 2_600 },
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
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        // One event per write, as Gemini streams, so the proxy reads them in several reads.
        const pieces = script.body.split(/(?<=\r?\n\r?\n)/);
        for (const [i, piece] of pieces.entries()) {
          if (i > 0 && script.gapMs) await Bun.sleep(script.gapMs);
          if (cancelled) return;
          controller.enqueue(encoder.encode(piece));
        }
        if (script.late) {
          await Bun.sleep(script.late.afterMs);
          if (cancelled) return;
          controller.enqueue(encoder.encode(script.late.body));
          controller.close();
        } else if (!script.keepOpen) controller.close();
      },
      cancel() {
        cancelled = true;
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
  const res = await t.post({ model, messages: [{ role: "user", content: "hi" }], stream: true, stream_options: { include_usage: true } });
  const body = await res.text();
  const elapsedMs = Date.now() - started;
  return { status: res.status, body, elapsedMs, event: await t.usageEvent(res.headers.get("x-request-id")) };
}

for (const model of ["finish-then-open", "usage-after-finish-then-open"]) {
  test(`${model}: the answer ends once the body stays silent after the event with the finishReason and usage, the vendor call is closed, the request is ok with that usage`, async () => {
    const { status, body, elapsedMs, event } = await stream(model);
    expect(status).toBe(200);
    expect(body).toContain('"content":"Hello"');
    expect(body).toContain('"content":" there"');
    expect(body).toContain('"finish_reason":"stop"');
    expect(body).toContain('"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7,');
    expect(body).not.toContain('"error"');
    expect(body.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(elapsedMs).toBeGreaterThanOrEqual(END_GRACE_MS - 50);
    expect(elapsedMs).toBeLessThan(2_000);
    expect(event.status).toBe("ok");
    expect(event.usage).toMatchObject({ inputTokens: 5, outputTokens: 2 });
    await waitFor(() => closedByProxy.has(model), "the vendor stream closed");
  });
}

test("prompt-counts-then-late-usage: a finishReason event with the prompt's count only does not end the answer; the later output and thinking counts are billed", async () => {
  const { status, body, event } = await stream("prompt-counts-then-late-usage");
  expect(status).toBe(200);
  expect(body).toContain('"content":" there"');
  expect(body).toContain('"usage":{"prompt_tokens":5,"completion_tokens":42,"total_tokens":47,');
  expect(event.status).toBe("ok");
  expect(event.usage).toMatchObject({ inputTokens: 5, outputTokens: 42, reasoningTokens: 40 });
});

test("thoughts-counts-then-late-usage: a thinking model's finishReason event with the prompt's and thoughts' counts does not end the answer; the later output count is billed", async () => {
  const { status, body, event } = await stream("thoughts-counts-then-late-usage");
  expect(status).toBe(200);
  expect(body).toContain('"content":" there"');
  expect(body).toContain('"usage":{"prompt_tokens":5,"completion_tokens":42,"total_tokens":47,');
  expect(event.status).toBe("ok");
  expect(event.usage).toMatchObject({ inputTokens: 5, outputTokens: 42, reasoningTokens: 40 });
});

test("finish-then-late: nothing Gemini sends once the body was silent for the grace after the finishReason and usage event reaches the client or the bill", async () => {
  const { body, event } = await stream("finish-then-late");
  expect(body).toContain('"content":" there"');
  expect(body).not.toContain("INJECTED");
  expect(body).not.toContain('"error"');
  expect(event.status).toBe("ok");
  expect(event.usage).toMatchObject({ inputTokens: 5, outputTokens: 2 });
  await waitFor(() => closedByProxy.has("finish-then-late"), "the vendor stream closed");
});

type Chunk = { choices?: { delta: { content?: string }; finish_reason: string | null }[]; usage?: unknown };
const chunksOf = (body: string) => body.split("\n\n").filter((f) => f.startsWith("data: {")).map((f) => JSON.parse(f.slice(6)) as Chunk);
const contentOf = (chunks: Chunk[]) => chunks.map((c) => c.choices?.[0]?.delta.content ?? "").join("");

for (const [model, answer, output] of [
  ["legacy-usage", LEGACY_TEXT, 87],
  ["legacy-usage-slow", LEGACY_TEXT, 87],
  ["legacy-usage-paused", "part one, part two.", 10],
] as const) {
  test(`${model}: an older model's stream, finishReason STOP and the usage so far on every event, reaches the client whole and is billed at its last event's usage`, async () => {
    const { status, body, event } = await stream(model);
    expect(status).toBe(200);
    const chunks = chunksOf(body);
    expect(contentOf(chunks)).toBe(answer);
    expect(chunks.filter((c) => c.choices?.[0]?.finish_reason === "stop").length).toBe(1);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 21, completion_tokens: output, total_tokens: 21 + output });
    expect(body.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(event.status).toBe("ok");
    expect(event.usage).toMatchObject({ inputTokens: 21, outputTokens: output });
  });
}

test("legacy-usage-then-open: an older model's whole answer reaches the client, and a body held open after it waits for LEGACY_END_GRACE_MS, so the 3 s deadline comes first: upstream_timeout, the vendor call closed", async () => {
  expect(LEGACY_END_GRACE_MS).toBeGreaterThan(3_000);
  const { body, elapsedMs, event } = await stream("legacy-usage-then-open");
  expect(contentOf(chunksOf(body))).toBe(LEGACY_TEXT);
  expect(body).toContain('"code":"upstream_timeout"');
  expect(elapsedMs).toBeGreaterThanOrEqual(3_000 - 50);
  expect(elapsedMs).toBeLessThan(LEGACY_END_GRACE_MS);
  expect(event.status).toBe("error");
  expect(event.usage).toMatchObject({ inputTokens: 21 });
  expect(event.usage.outputTokens).toBeGreaterThanOrEqual(87);
  await waitFor(() => closedByProxy.has("legacy-usage-then-open"), "the vendor stream closed");
});

test("a client that leaves while the proxy waits out the grace ends the stream at once: client_closed, the vendor call closed", async () => {
  const model = "finish-then-open-client-leaves";
  const controller = new AbortController();
  const res = await t.post({ model, messages: [{ role: "user", content: "hi" }], stream: true }, controller.signal);
  const reader = res.body!.getReader();
  let seen = "";
  while (!seen.includes('"content":" there"')) seen += new TextDecoder().decode((await reader.read()).value);
  const left = Date.now();
  controller.abort();
  const event = await t.usageEvent(res.headers.get("x-request-id"));
  expect(event.status).toBe("client_closed");
  // Charged as any stream cut short: the input Gemini reported, the output it reported or the streamed estimate if larger.
  expect(event.usage.inputTokens).toBe(5);
  expect(event.usage.outputTokens).toBeGreaterThanOrEqual(2);
  await waitFor(() => closedByProxy.has(model), "the vendor stream closed");
  expect(Date.now() - left).toBeLessThan(END_GRACE_MS);
});

test("finish-near-deadline: the deadline that comes while the proxy waits out the grace still ends the stream, as upstream_timeout", async () => {
  const { body, elapsedMs, event } = await stream("finish-near-deadline");
  expect(body).toContain('"content":" there"');
  expect(body).toContain('"code":"upstream_timeout"');
  expect(elapsedMs).toBeLessThan(2_600 + END_GRACE_MS);
  expect(event.status).toBe("error");
  expect(event.usage.inputTokens).toBe(5);
  expect(event.usage.outputTokens).toBeGreaterThanOrEqual(2);
  await waitFor(() => closedByProxy.has("finish-near-deadline"), "the vendor stream closed");
});
