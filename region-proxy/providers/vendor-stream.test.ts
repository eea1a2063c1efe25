import { expect, test } from "bun:test";
import { readSseBatches } from "./sse-reader.ts";
import { reads, readsThenHang } from "./testing/reads.ts";
import { VendorProtocolError, type ChatCompletionChunk, type SseEvent, type StreamTranslator } from "./types.ts";
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import { VendorBodyCutError } from "./vendor-body-cut.ts";
import { AFTER_MARKER_DRAIN_MS, committedStream, readUntilChunks, vendorEvents } from "./vendor-stream.ts";

/** One chunk per event, its content the event's data; "bad" throws, "skip" gives no chunk. */
const echo: StreamTranslator = {
  onEvent(event: SseEvent): ChatCompletionChunk[] {
    if (event.data === "bad") throw new VendorProtocolError("garbage");
    if (event.data === "skip") return [];
    return [{ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: { content: event.data }, finish_reason: null }] }];
  },
  finish: () => ({ chunks: [], usage: null }),
};

const contents = (step: { chunks: ChatCompletionChunk[] }) => step.chunks.map((chunk) => chunk.choices[0]!.delta.content);

test("the first chunk goes out alone; after it, every event of a read comes in one step", async () => {
  const events = vendorEvents(readSseBatches(reads("data: skip\n\ndata: a\n\ndata: b\n\ndata: c\n\n", "data: d\n\ndata: e\n\n")));
  expect(contents(await readUntilChunks(events, echo))).toEqual(["a"]);
  expect(contents(await readUntilChunks(events, echo))).toEqual(["b", "c"]);
  expect(contents(await readUntilChunks(events, echo))).toEqual(["d", "e"]);
  expect(await readUntilChunks(events, echo)).toEqual({ chunks: [], done: true, usage: null });
});

test("garbage after good events of the same read: the good chunks first, the failure on the next step", async () => {
  const events = vendorEvents(readSseBatches(reads("data: a\n\ndata: b\n\ndata: bad\n\ndata: c\n\n")));
  expect(contents(await readUntilChunks(events, echo))).toEqual(["a"]);
  expect(contents(await readUntilChunks(events, echo))).toEqual(["b"]);
  await expect(readUntilChunks(events, echo)).rejects.toThrow("garbage");
});

test("garbage before any chunk fails the first step", async () => {
  const events = vendorEvents(readSseBatches(reads("data: skip\n\ndata: bad\n\ndata: a\n\n")));
  await expect(readUntilChunks(events, echo)).rejects.toThrow("garbage");
});

/** `echo`, with an end marker: "END" ends the stream, as OpenAI's [DONE] or Anthropic's message_stop. */
function echoWithMarker(): StreamTranslator {
  let ended = false;
  return {
    onEvent(event) {
      if (event.data === "END") {
        ended = true;
        return [];
      }
      return echo.onEvent(event);
    },
    finish: () => ({ chunks: [], usage: { inputTokens: 5, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } }),
    ended: () => ended,
  };
}

test("the stream ends at the vendor's end marker: what follows is never translated, an open connection is not waited on", async () => {
  const stream = readsThenHang("data: a\n\ndata: b\n\ndata: END\n\ndata: INJECTED\n\n", "data: more\n\n");
  const events = vendorEvents(readSseBatches(stream));
  const translator = echoWithMarker();
  expect(contents(await readUntilChunks(events, translator))).toEqual(["a"]);
  const last = await readUntilChunks(events, translator);
  expect(contents(last)).toEqual(["b"]);
  expect(last.done).toBe(true);
  expect(last.usage?.inputTokens).toBe(5);
});

test("a marker before any chunk ends the stream at once; a marker in a later read too", async () => {
  const early = vendorEvents(readSseBatches(readsThenHang("data: skip\n\ndata: END\n\ndata: INJECTED\n\n")));
  expect(await readUntilChunks(early, echoWithMarker())).toMatchObject({ chunks: [], done: true });
  const later = vendorEvents(readSseBatches(readsThenHang("data: a\n\n", "data: END\n\n", "data: INJECTED\n\n")));
  const translator = echoWithMarker();
  expect(contents(await readUntilChunks(later, translator))).toEqual(["a"]);
  expect(await readUntilChunks(later, translator)).toMatchObject({ chunks: [], done: true });
});

test("a committed stream that ended at the marker is final (reported usage); a vendor holding the body open after it is aborted once the drain time is up", async () => {
  const stream = readsThenHang("data: a\n\n", "data: b\n\ndata: END\n\n");
  const events = vendorEvents(readSseBatches(stream));
  const translator = echoWithMarker();
  const first = await readUntilChunks(events, translator);
  let aborts = 0;
  let cleanups = 0;
  const vendor = committedStream(events, translator, first, { abort: () => aborts++, cleanup: () => cleanups++, timedOut: () => false, redact: (error) => error });
  expect(await vendor.next()).toMatchObject({ done: true });
  expect(cleanups).toBe(1);
  expect(vendor.usage()?.inputTokens).toBe(5);
  vendor.close();
  expect(aborts).toBe(0); // drained first: most bodies end right after their marker
  await Bun.sleep(AFTER_MARKER_DRAIN_MS + 200);
  expect(aborts).toBe(1);
});

test("a body that ends right after its marker is read to its end, not aborted: its connection can be reused", async () => {
  const events = vendorEvents(readSseBatches(reads("data: a\n\n", "data: b\n\ndata: END\n\n")));
  const translator = echoWithMarker();
  const first = await readUntilChunks(events, translator);
  let aborts = 0;
  const vendor = committedStream(events, translator, first, { abort: () => aborts++, cleanup: () => {}, timedOut: () => false, redact: (error) => error });
  expect(await vendor.next()).toMatchObject({ done: true });
  vendor.close();
  await Bun.sleep(AFTER_MARKER_DRAIN_MS + 200);
  expect(aborts).toBe(0);
});

test("a committed stream that ended at EOF is not aborted when closed", async () => {
  const events = vendorEvents(readSseBatches(reads("data: a\n\n", "data: b\n\n")));
  const first = await readUntilChunks(events, echo);
  let aborts = 0;
  const vendor = committedStream(events, echo, first, { abort: () => aborts++, cleanup: () => {}, timedOut: () => false, redact: (error) => error });
  expect(contents(await vendor.next())).toEqual(["b"]);
  expect(await vendor.next()).toMatchObject({ done: true });
  vendor.close();
  expect(aborts).toBe(0);
});

test("a client that asked for usage gets the estimate it is charged when the vendor sent none; with the vendor's usage, or without asking, nothing is added", async () => {
  const usageChunk = (usage: NormalizedUsage): ChatCompletionChunk => ({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [], usage: { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens } });
  const estimate = { promptTokens: () => 7, chunk: usageChunk };
  const call = { abort: () => {}, cleanup: () => {}, timedOut: () => false, redact: (error: GatewayError) => error };

  // Ends at EOF after two reads, no usage from the vendor: the last step carries the estimate.
  const events = vendorEvents(readSseBatches(reads("data: abcd\n\n", "data: efgh\n\n")));
  const vendor = committedStream(events, echo, await readUntilChunks(events, echo), call, estimate);
  expect(vendor.initialChunks.map((c) => c.usage)).toEqual([undefined]);
  const rest = [await vendor.next(), await vendor.next()];
  const all = [...vendor.initialChunks, ...rest.flatMap((step) => step.chunks)];
  const last = all.at(-1)!;
  expect(last.choices).toEqual([]);
  const charged = vendor.usageSoFar(7);
  expect(last.usage).toEqual({ prompt_tokens: 7, completion_tokens: charged.outputTokens, total_tokens: 7 + charged.outputTokens });
  expect(charged).toMatchObject({ inputTokens: 7, outputTokens: 2 }); // 8 characters streamed, one token per 4

  // All in the first read: the estimate rides on the initial chunks.
  const once = vendorEvents(readSseBatches(reads("data: ab\n\n")));
  const first = await readUntilChunks(once, echo);
  const whole = committedStream(once, echo, { ...first, done: true }, call, estimate);
  expect(whole.initialChunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 7 });

  // The vendor reported usage: nothing is added.
  const marked = vendorEvents(readSseBatches(reads("data: a\n\ndata: END\n\n")));
  const withMarker = echoWithMarker();
  const reported = committedStream(marked, withMarker, await readUntilChunks(marked, withMarker), call, estimate);
  const steps = [...reported.initialChunks, ...(await reported.next()).chunks];
  expect(steps.some((chunk) => chunk.usage != null)).toBe(false);

  // Not asked for: nothing is added.
  const plain = vendorEvents(readSseBatches(reads("data: a\n\n")));
  const notAsked = committedStream(plain, echo, await readUntilChunks(plain, echo), call);
  expect([...notAsked.initialChunks, ...(await notAsked.next()).chunks].some((chunk) => chunk.usage != null)).toBe(false);
});

test("a committed stream tells how it ended: done at its clean end (or at once when the first read ended it), failed at a failed read, abandoned when closed before either; never two words", async () => {
  const told: string[] = [];
  const call = (name: string) => ({ abort() {}, cleanup() {}, timedOut: () => false, redact: (error: GatewayError) => error, ending: { done: () => told.push(`${name}:done`), failed: () => told.push(`${name}:failed`), abandoned: () => told.push(`${name}:abandoned`) } });

  const clean = vendorEvents(readSseBatches(reads("data: a\n\n", "data: b\n\n")));
  const cleanStream = committedStream(clean, echo, await readUntilChunks(clean, echo), call("clean"));
  expect(told).toEqual([]); // the first chunk is no verdict
  while (!(await cleanStream.next()).done);
  cleanStream.close();

  const whole = vendorEvents(readSseBatches(readsThenHang("data: skip\n\ndata: END\n\n")));
  const marked = echoWithMarker();
  committedStream(whole, marked, await readUntilChunks(whole, marked), call("whole")).close();

  const broken = vendorEvents(readSseBatches(reads("data: a\n\n", "data: bad\n\n")));
  const brokenStream = committedStream(broken, echo, await readUntilChunks(broken, echo), call("broken"));
  await expect(brokenStream.next()).rejects.toThrow("garbage");
  brokenStream.close();

  const left = vendorEvents(readSseBatches(readsThenHang("data: a\n\n")));
  committedStream(left, echo, await readUntilChunks(left, echo), call("left")).close();

  // One word each: the close after an end or a failure adds none.
  expect(told).toEqual(["clean:done", "whole:done", "broken:failed", "left:abandoned"]);
});

/** A body written by the test as it goes: `send` one read, `close` it, or `fail` it (the call aborted). */
function openBody() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    stream,
    send: (text: string) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
    fail: (error: Error) => controller.error(error),
  };
}

/** `echo`, with a soft end (endsIfQuietForMs): an event "DONE?..." makes the answer read complete, as Gemini's event with a finishReason and usage. */
function echoWithQuietEnd(quietMs: number): StreamTranslator {
  let complete = false;
  return {
    onEvent(event) {
      if (event.data.startsWith("DONE?")) complete = true;
      return echo.onEvent(event);
    },
    finish: () => ({ chunks: [{ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }], usage: { inputTokens: 5, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } }),
    endsIfQuietForMs: () => (complete ? quietMs : null),
  };
}

/** Counts the timers armed through setTimeout and those still neither cleared nor run, until restored. */
function watchTimers() {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const live = new Set<unknown>();
  let armed = 0;
  globalThis.setTimeout = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    armed++;
    const id: unknown = realSet(
      (...a: unknown[]) => {
        live.delete(id);
        fn(...a);
      },
      ms,
      ...args,
    );
    live.add(id);
    return id;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((id: Parameters<typeof clearTimeout>[0]) => {
    live.delete(id);
    realClear(id);
  }) as typeof clearTimeout;
  return {
    armed: () => armed,
    live: () => live.size,
    restore() {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    },
  };
}

test("a soft end is not an end: events that come within its time are translated (the grace restarts at each), EOF ends the stream and closing it aborts nothing", async () => {
  const body = openBody();
  const events = vendorEvents(readSseBatches(body.stream));
  const translator = echoWithQuietEnd(300);
  body.send("data: DONE?1\n\n");
  const first = await readUntilChunks(events, translator);
  expect(contents(first)).toEqual(["DONE?1"]);
  let aborts = 0;
  const vendor = committedStream(events, translator, first, { abort: () => aborts++, cleanup: () => {}, timedOut: () => false, redact: (error) => error });
  // Three more events 200 ms apart: 600 ms after the first, each within 300 ms of the one before.
  for (const data of ["b", "DONE?2", "c"]) {
    setTimeout(() => body.send(`data: ${data}\n\n`), 200);
    expect(contents(await vendor.next())).toEqual([data]);
  }
  setTimeout(() => body.close(), 200);
  const last = await vendor.next();
  expect(last).toMatchObject({ done: true });
  expect(last.chunks.map((c) => c.choices[0]!.finish_reason)).toEqual(["stop"]);
  expect(vendor.usage()?.outputTokens).toBe(2);
  vendor.close();
  expect(aborts).toBe(0);
});

test("a soft end with the body held open: the stream ends once the body was silent for its time, the call is aborted at once (not drained), and what comes later is never read", async () => {
  const body = openBody();
  const events = vendorEvents(readSseBatches(body.stream));
  const translator = echoWithQuietEnd(300);
  body.send("data: a\n\n");
  const first = await readUntilChunks(events, translator);
  let aborts = 0;
  let cleanups = 0;
  const vendor = committedStream(events, translator, first, { abort: () => aborts++, cleanup: () => cleanups++, timedOut: () => false, redact: (error) => error });
  body.send("data: DONE?\n\n");
  expect(contents(await vendor.next())).toEqual(["DONE?"]);
  const started = Date.now();
  const last = await vendor.next();
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  expect(last.done).toBe(true);
  expect(last.chunks.map((c) => c.choices[0]!.finish_reason)).toEqual(["stop"]);
  expect(cleanups).toBe(1);
  body.send("data: LATE\n\n");
  expect(await vendor.next()).toEqual({ chunks: [], done: true });
  vendor.close();
  expect(aborts).toBe(1);
  body.fail(new Error("aborted")); // what the abort does to the read left pending: no unhandled rejection
  await Bun.sleep(10);
});

test("a read that fails while a soft end waits (the client gone, the call's deadline) fails the step at once and clears the wait's timer", async () => {
  const timers = watchTimers();
  try {
    const body = openBody();
    const events = vendorEvents(readSseBatches(body.stream));
    const translator = echoWithQuietEnd(60_000);
    body.send("data: DONE?\n\n");
    expect(contents(await readUntilChunks(events, translator))).toEqual(["DONE?"]);
    const started = Date.now();
    const waiting = readUntilChunks(events, translator);
    await Bun.sleep(20);
    expect(timers.live()).toBe(1); // the soft end's wait
    body.fail(new Error("aborted"));
    // A failed read is a cut body (vendor-body-cut.ts), whatever failed it.
    await expect(waiting).rejects.toThrow(VendorBodyCutError);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(timers.live()).toBe(0);
  } finally {
    timers.restore();
  }
});

test("an event that comes while a soft end waits clears the wait's timer; a translator without a soft end (OpenAI, Anthropic) arms no timer while it is read", async () => {
  const timers = watchTimers();
  try {
    const body = openBody();
    const events = vendorEvents(readSseBatches(body.stream));
    const translator = echoWithQuietEnd(60_000);
    body.send("data: DONE?\n\n");
    await readUntilChunks(events, translator);
    setTimeout(() => body.send("data: more\n\n"), 20);
    expect(contents(await readUntilChunks(events, translator))).toEqual(["more"]);
    expect(timers.live()).toBe(0);
    expect(timers.armed()).toBe(2); // the test's own send, and the wait

    const before = timers.armed();
    for (const translator of [echo, echoWithMarker()]) {
      const marked = vendorEvents(readSseBatches(reads("data: a\n\n", "data: b\n\ndata: c\n\n", "data: END\n\n")));
      while (!(await readUntilChunks(marked, translator)).done) {
        // every read taken, as a stream's
      }
    }
    expect(timers.armed()).toBe(before);
  } finally {
    timers.restore();
  }
});
