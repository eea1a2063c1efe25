/**
 * What every fake vendor shares: a Bun.serve on 127.0.0.1, a call counter, the last request seen,
 * and helpers to answer JSON or a Server-Sent Events stream. Each vendor's file adds only its wire
 * format. State lives in the closure of one `startFakeServer` call, never in the module.
 */
export interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface FakeVendor {
  url: string;
  calls(): number;
  lastRequest(): RecordedRequest | null;
  stop(): Promise<void>;
}

/** A vendor's answer to one parsed request; return a Response (or a never-settling promise to hang). */
export type FakeHandler = (request: RecordedRequest, raw: Request) => Response | Promise<Response>;

export async function startFakeServer(port: number | undefined, handler: FakeHandler): Promise<FakeVendor> {
  let calls = 0;
  let last: RecordedRequest | null = null;
  const server = Bun.serve({
    port: port ?? 0,
    hostname: "127.0.0.1",
    development: false,
    idleTimeout: 0,
    async fetch(req) {
      calls++;
      const url = new URL(req.url);
      const text = await req.text();
      let body: unknown = text;
      try {
        body = text === "" ? null : JSON.parse(text);
      } catch {
        // keep the raw text: the vendor handler decides how to refuse it
      }
      const headers: Record<string, string> = {};
      req.headers.forEach((value, key) => {
        headers[key.toLowerCase()] = value;
      });
      last = { path: url.pathname + url.search, headers, body };
      return handler(last, req);
    },
    error(error) {
      return new Response(JSON.stringify({ error: { message: String(error) } }), { status: 500, headers: { "content-type": "application/json" } });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    calls: () => calls,
    lastRequest: () => last,
    stop: async () => {
      await server.stop(true);
    },
  };
}

/** A path segment's text, or null when its percent-encoding is malformed (decodeURIComponent throws a URIError). */
export function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/** How a fake stream misbehaves after `after` frames: the connection closes early, or goes silent. */
export interface StreamFault {
  after: number;
  mode: "cut" | "hang";
}

/**
 * The fault a model name asks for: `stream-cut` and `stream-hang` break after the second frame; a name
 * containing `stall` goes silent once the answer has begun (after `firstTextFrames`, the frames up to
 * the first text in that vendor's stream), so the usage a vendor sends at the end never comes.
 */
export function streamFault(model: string, firstTextFrames = 2): StreamFault | undefined {
  if (model === "stream-cut") return { after: 2, mode: "cut" };
  if (model === "stream-hang") return { after: 2, mode: "hang" };
  if (model.includes("stall")) return { after: firstTextFrames, mode: "hang" };
  return undefined;
}

/** Which in-stream error a `stream-error-*` model name asks for (see streamErrorMode). */
export type StreamErrorMode = "overloaded" | "invalid" | "late";

/**
 * The in-stream error a model (or deployment) name asks for, sent inside a 200 stream in the vendor's
 * own wire form (each vendor's file says which and where it is documented): `stream-error-overloaded`
 * is the vendor's overload or server error and `stream-error-invalid` its invalid-request error, both
 * before any content; `stream-error-late` is the overload or server error once the answer's first text
 * has been sent. Unstreamed, each is the HTTP error the event stands for.
 */
export function streamErrorMode(model: string): StreamErrorMode | null {
  if (model === "stream-error-overloaded") return "overloaded";
  if (model === "stream-error-invalid") return "invalid";
  if (model === "stream-error-late") return "late";
  return null;
}

/** A text/event-stream response that writes the given frames one by one, as a real vendor would. */
export function sse(frames: string[], headers: Record<string, string> = {}, fault?: StreamFault): Response {
  const encoder = new TextEncoder();
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (fault && sent >= fault.after) {
        if (fault.mode === "cut") return controller.close();
        return new Promise<void>(() => {}); // silent until the client or stop() drops the connection
      }
      const frame = frames.shift();
      if (frame === undefined) return controller.close();
      controller.enqueue(encoder.encode(frame));
      sent++;
      await Bun.sleep(0);
    },
  });
  return new Response(stream, { status: 200, headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...headers } });
}

/** Never answers; the connection is released when the client gives up or the fake stops. */
export function hang(raw: Request): Promise<Response> {
  return new Promise((resolve) => {
    raw.signal.addEventListener("abort", () => resolve(new Response(null, { status: 499 })));
  });
}

/** A 200 whose body is not what the vendor's protocol promises, streamed or not. */
export function garbage(stream: boolean): Response {
  if (stream) return sse(['data: {"this is": not json\n\n']);
  return new Response("<html><body>502 Bad Gateway</body></html>", { status: 200, headers: { "content-type": "application/json" } });
}

/** Deterministic token count: one token per 4 characters, at least 1 (the echo vendor's count too). */
export { textTokens as countTokens } from "../../infra/echo-vendor/openai-request-readers.ts";

/**
 * Splits an answer into stream pieces on word boundaries, blanks kept: each piece is the blanks before
 * a word and the word; blanks after the last word go with it, so the pieces always join back to the
 * text (a text of blanks only is one piece). One pass over the text: `/\s*\S+/g` backtracked over
 * every blank of a run that no word follows, quadratic in the run's length.
 *
 * @example pieces(" Echo: hi ") // [" Echo:", " hi "]
 */
export function pieces(text: string): string[] {
  const out: string[] = [];
  const word = /\S+/g;
  let from = 0;
  for (let m = word.exec(text); m !== null; m = word.exec(text)) {
    const end = m.index + m[0].length;
    out.push(text.slice(from, end));
    from = end;
  }
  if (from < text.length) {
    if (out.length === 0) out.push(text);
    else out[out.length - 1] += text.slice(from);
  }
  return out;
}
