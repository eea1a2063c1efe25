/**
 * One adapter against its vendor's fake, for the `fake.test.ts` beside each adapter: the fake started
 * for the file, requests built by the adapter and sent as the executor would (buildRequest → fetch),
 * streams read through the shared SSE reader and the adapter's translator, the fault behaviour every
 * adapter must show (`adapterFaultTests`), and the in-stream error events of a vendor that sends them
 * as SSE events (`adapterStreamErrorTests`).
 *
 * @example const fake = adapterAgainstFake({ adapter: geminiAdapter, start: startFakeGemini, key: "AIza-fake", target: (url, model) => ({ ... }), ctx });
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readSseBatches } from "../../region-proxy/providers/sse-reader.ts";
import { type ChatCompletionChunk, type ChatRequest, type ProviderAdapter, type ResponseContext, type SseEvent, type StreamTranslator, VendorProtocolError } from "../../region-proxy/providers/types.ts";
import { VendorStreamError } from "../../region-proxy/providers/vendor-stream-error.ts";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { assemble, readUntilQuiet, type Replay, translate } from "../fixtures/replay.ts";
import type { FakeVendor } from "./fake-server.ts";

export interface AdapterAgainstFakeOptions {
  adapter: ProviderAdapter;
  start: (opts: { apiKey: string }) => Promise<FakeVendor>;
  /** The key the fake accepts and `send` uses unless told otherwise. */
  key: string;
  /** The deployment for a model (the adapter's default model when none is named) at the fake's URL. */
  target: (baseUrl: string, model?: string) => SnapshotDeployment;
  ctx: ResponseContext;
  /** The streamed form of a request; `{ ...req, stream: true }` unless the adapter reads more (Azure's raw body). */
  streamed?: (req: ChatRequest) => ChatRequest;
}

export interface AdapterAgainstFake {
  /** The fake, started before the file's tests and stopped after them. */
  fake(): FakeVendor;
  send(req: ChatRequest, model?: string, key?: string, signal?: AbortSignal): Promise<Response>;
  /** Sends the streamed form of `req`, expects a 200 event stream, and replays it through the translator. */
  stream(req: ChatRequest, model?: string): Promise<Replay>;
  /** Sends the streamed form of `req`, expects a 200 event stream, and returns its events as the SSE reader gave them. */
  streamEvents(req: ChatRequest, model?: string): Promise<SseEvent[]>;
  streamed(req: ChatRequest): ChatRequest;
}

export function adapterAgainstFake(opts: AdapterAgainstFakeOptions): AdapterAgainstFake {
  let fake: FakeVendor | undefined;
  beforeAll(async () => {
    fake = await opts.start({ apiKey: opts.key });
  });
  afterAll(async () => {
    await fake?.stop();
  });
  const streamed = opts.streamed ?? ((req: ChatRequest) => ({ ...req, stream: true }));
  const send = async (req: ChatRequest, model?: string, key = opts.key, signal?: AbortSignal) => {
    const http = opts.adapter.buildRequest(req, opts.target(fake!.url, model), key);
    return fetch(http.url, { method: http.method, headers: http.headers, body: http.body, signal });
  };
  const streamEvents = async (req: ChatRequest, model?: string) => {
    const res = await send(streamed(req), model);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events: SseEvent[] = [];
    for await (const batch of readSseBatches(res.body!)) events.push(...batch);
    return events;
  };
  return {
    fake: () => fake!,
    send,
    streamed,
    streamEvents,
    async stream(req, model) {
      return translate(opts.adapter.createStreamTranslator(opts.ctx), await streamEvents(req, model));
    },
  };
}

/**
 * Feeds events through a translator until one throws: the chunks it gave before, and what it threw
 * (null when the stream translated and finished cleanly).
 */
export function translateUntilThrow(translator: StreamTranslator, events: SseEvent[]): { chunks: ChatCompletionChunk[]; thrown: unknown } {
  const chunks: ChatCompletionChunk[] = [];
  try {
    for (const event of events) chunks.push(...translator.onEvent(event));
    chunks.push(...translator.finish().chunks);
  } catch (thrown) {
    return { chunks, thrown };
  }
  return { chunks, thrown: null };
}

/**
 * A builder of chat requests with a system prompt and one user message, the fields given on top.
 *
 * @example const request = systemAndUser("hello there"); request({ stop: ["there"] })
 */
export function systemAndUser(userText: string): (fields?: Partial<ChatRequest>) => ChatRequest {
  return (fields = {}) => ({
    model: "alias",
    messages: [
      { role: "system", content: "You echo." },
      { role: "user", content: userText },
    ],
    stream: false,
    includeUsage: true,
    raw: {},
    ...fields,
  });
}

export interface FaultExpectations {
  adapter: ProviderAdapter;
  ctx: ResponseContext;
  request: () => ChatRequest;
  /** The status of the fake's `overloaded` model (Anthropic 529, the others 503). */
  overloadedStatus: number;
  /** [model or deployment, retryable, reason] for the error fault modes only this vendor's fake has. */
  moreErrors?: [string, boolean, string][];
  /** The status the vendor answers a wrong key with (Google: 400, the others 401). */
  wrongKeyStatus: number;
  /**
   * Words of the vendor's own answer to a wrong key that the verdict must not repeat to the client (the
   * gateway's credential problem is its operator's, not the caller's). The fakes, like these vendors,
   * do not quote the key itself; credential-leak.test.ts covers vendors that do.
   */
  wrongKeyUnsaid: string[];
}

/** The tests every adapter passes against its fake: errors classified, a wrong key, hang, garbage, cut and silent streams. */
export function adapterFaultTests(vendor: AdapterAgainstFake, x: FaultExpectations): void {
  test("fault modes classify as the executor needs", async () => {
    const errors: [string, boolean, string][] = [
      ["error-500", true, "status_500"],
      ["overloaded", true, `status_${x.overloadedStatus}`],
      ["rate-limit", true, "status_429"],
      ["error-400", false, "status_400"],
      ["context-length", false, "context_length"],
      ...(x.moreErrors ?? []),
    ];
    for (const [model, retryable, reason] of errors) {
      const res = await vendor.send(x.request(), model);
      const verdict = x.adapter.classifyError(res.status, res.headers, await res.text());
      expect([model, verdict.retryable, verdict.reason]).toEqual([model, retryable, reason]);
    }
    const limited = await vendor.send(x.request(), "rate-limit");
    expect(x.adapter.classifyError(limited.status, limited.headers, await limited.text()).retryAfterMs).toBe(1000);
  });

  test(`a wrong key is the vendor's ${x.wrongKeyStatus}, not retried, the gateway's credential problem`, async () => {
    const res = await vendor.send(x.request(), undefined, "wrong-key");
    expect(res.status).toBe(x.wrongKeyStatus);
    const verdict = x.adapter.classifyError(res.status, res.headers, await res.text());
    expect(verdict).toMatchObject({ retryable: false, reason: "credential_rejected", clientError: { kind: "upstream_error" } });
    for (const word of x.wrongKeyUnsaid) expect(JSON.stringify(verdict)).not.toContain(word);
  });

  test("hang never answers until the client gives up", async () => {
    const controller = new AbortController();
    const pending = vendor.send(x.request(), "hang", undefined, controller.signal);
    expect(await Promise.race([pending.then(() => "answered", () => "failed"), Bun.sleep(150).then(() => "waiting")])).toBe("waiting");
    controller.abort();
    expect(await pending.then(() => "answered", () => "aborted")).toBe("aborted");
  });

  test("garbage, a cut stream and a silent stream are all caught", async () => {
    const bad = await vendor.send(x.request(), "garbage");
    expect(bad.status).toBe(200);
    const text = await bad.text();
    expect(() => x.adapter.parseResponse(JSON.parse(text), x.ctx)).toThrow(SyntaxError);
    const read = async (model: string, quietMs: number) => readUntilQuiet((await vendor.send(vendor.streamed(x.request()), model)).body!, quietMs);
    const garbled = await read("garbage", 1000);
    expect(() => translate(x.adapter.createStreamTranslator(x.ctx), garbled.events)).toThrow(VendorProtocolError);
    const cut = await read("stream-cut", 1000);
    expect(cut).toMatchObject({ ended: true, events: { length: 2 } });
    expect(() => translate(x.adapter.createStreamTranslator(x.ctx), cut.events)).toThrow(VendorProtocolError);
    const silent = await read("stream-hang", 200);
    expect(silent).toMatchObject({ ended: false, events: { length: 2 } });
  });
}

export interface StreamErrorExpectations {
  adapter: ProviderAdapter;
  ctx: ResponseContext;
  request: () => ChatRequest;
  /** The SSE event name the vendor gives an error event (Anthropic's `error`), null when it gives none. */
  eventName: string | null;
  /** The data of the fake's stream-error-overloaded event, as the vendor documents it, and the reason its verdict gives. */
  overloaded: { data: unknown; reason: string };
  /** The data of the fake's stream-error-invalid event, and the vendor's message the client is told. */
  invalid: { data: unknown; message: string };
}

/**
 * The fake's in-stream error models (fake-server.ts's streamErrorMode) against the adapter, for a
 * vendor whose error is an SSE event: the event is the vendor's documented one, the translator throws
 * it as a VendorStreamError carrying the verdict of the HTTP error it stands for (after the first text
 * for stream-error-late), and unstreamed each model answers that HTTP error.
 */
export function adapterStreamErrorTests(vendor: AdapterAgainstFake, x: StreamErrorExpectations): void {
  /** The first event whose data is an object with an `error`, as its name and parsed data. */
  const errorEvent = (events: SseEvent[]): { event: string | null; data: unknown } | null => {
    for (const e of events) {
      let data: unknown;
      try {
        data = JSON.parse(e.data);
      } catch {
        continue; // OpenAI's [DONE]
      }
      if (typeof data === "object" && data !== null && "error" in data) return { event: e.event, data };
    }
    return null;
  };

  test("stream-error-overloaded and stream-error-invalid: the vendor's error event before any content, thrown as the HTTP error it stands for", async () => {
    const cases = [
      ["stream-error-overloaded", x.overloaded.data, { retryable: true, reason: x.overloaded.reason }],
      ["stream-error-invalid", x.invalid.data, { retryable: false, reason: "status_400", clientError: { message: x.invalid.message } }],
    ] as const;
    for (const [model, data, verdict] of cases) {
      const events = await vendor.streamEvents(x.request(), model);
      expect([model, errorEvent(events)]).toEqual([model, { event: x.eventName, data }]);
      const { chunks, thrown } = translateUntilThrow(x.adapter.createStreamTranslator(x.ctx), events);
      expect([model, assemble(chunks).content]).toEqual([model, ""]);
      expect(thrown).toBeInstanceOf(VendorStreamError);
      expect([model, (thrown as VendorStreamError).vendorError]).toMatchObject([model, verdict]);
    }
  });

  test("stream-error-late: the answer's first text, then the overloaded error event", async () => {
    const whole = assemble((await vendor.stream(x.request())).chunks).content;
    const events = await vendor.streamEvents(x.request(), "stream-error-late");
    expect(errorEvent(events)).toEqual({ event: x.eventName, data: x.overloaded.data });
    const { chunks, thrown } = translateUntilThrow(x.adapter.createStreamTranslator(x.ctx), events);
    const sent = assemble(chunks).content;
    expect(sent).not.toBe("");
    expect(whole.startsWith(sent) && sent !== whole).toBe(true);
    expect(thrown).toBeInstanceOf(VendorStreamError);
    expect((thrown as VendorStreamError).vendorError).toMatchObject({ retryable: true, reason: x.overloaded.reason });
  });

  test("unstreamed, each stream-error model answers the HTTP error its event stands for", async () => {
    for (const [model, reason] of [["stream-error-overloaded", x.overloaded.reason], ["stream-error-invalid", "status_400"], ["stream-error-late", x.overloaded.reason]] as const) {
      const res = await vendor.send(x.request(), model);
      expect([model, res.status >= 400]).toEqual([model, true]);
      expect([model, x.adapter.classifyError(res.status, res.headers, await res.text()).reason]).toEqual([model, reason]);
    }
  });
}
