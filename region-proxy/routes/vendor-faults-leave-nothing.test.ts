/**
 * Bad vendors, many times over. Each round sends the same mix at once: a vendor that never answers, one
 * that answers garbage (plain and streamed), a stream cut mid-way, a vendor failing with 500, a stream too
 * slow for the request's deadline, and clients that leave a stream after its first chunk. After every
 * round each request has had its defined answer, every vendor call the proxy gave up on was closed (the
 * vendor saw the abort), and every request has its usage event. After four more rounds the process holds
 * no more of what a request leaves behind (requests, responses, abort controllers and signals, promises)
 * than it did before them: nothing piles up per request, and a graceful stop finds nothing still running.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { heapStats } from "bun:jsc";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
/**
 * Bounds the hung requests' first event; the slow vendor's first chunk must come well within it, also on
 * a loaded machine (at 100 ms, one of 60 slow streams in a CI run shared with other test runs met it first
 * and answered 504 before its first byte).
 */
const FIRST_BYTE_MS = 300;
/** Far above the hung requests' two first-byte timeouts and backoff, so a retry never meets the deadline. */
const TOTAL_MS = 2_000;
/** Requests of each kind in a round. A leak of one object per request of any one kind is this many objects. */
const EACH = 10;
const TRACKED = ["Request", "Response", "AbortController", "AbortSignal", "Promise"] as const;
/** Rounds between the two counts, after a warming one. */
const MEASURED_ROUNDS = 4;
/** 100 words at the slow vendor's 50 ms a chunk: a stream that cannot finish before TOTAL_MS. */
const LONG_PROMPT = Array.from({ length: 100 }, (_, i) => `w${i}`).join(" ");

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
  // A breaker that never opens: every request of every round reaches the misbehaving vendor.
  proxy = await fx.startProxy({ firstByteTimeoutMs: FIRST_BYTE_MS, totalTimeoutMs: TOTAL_MS }, { health: createMemoryBreaker({ failureThreshold: 1_000_000 }) });
});
afterAll(() => fx.cleanup());

function post(body: object, signal?: AbortSignal): Promise<Response> {
  return fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
}

const ask = (model: string, stream = false, content = "ping") => post({ model, messages: [{ role: "user", content }], ...(stream ? { stream: true } : {}) });

/** "status code": the code of a JSON error answer, or of the error frame that ended a stream. */
async function outcome(pending: Promise<Response>): Promise<string> {
  const response = await pending;
  const text = await response.text();
  if (!response.headers.get("content-type")?.startsWith("text/event-stream")) return `${response.status} ${JSON.parse(text).error.code}`;
  const frames = text.split("\n\n").filter((frame) => frame.startsWith("data: ") && frame !== "data: [DONE]");
  return `${response.status} ${JSON.parse(frames.at(-1)!.slice(6)).error?.code ?? "no error frame"}`;
}

/** Reads a stream's first chunk, then leaves: "status left". */
async function leaveAfterFirstChunk(): Promise<string> {
  const leave = new AbortController();
  const response = await post({ model: "slow", messages: [{ role: "user", content: LONG_PROMPT }], stream: true }, leave.signal);
  const reader = response.body!.getReader();
  await reader.read();
  leave.abort();
  await reader.cancel().catch(() => {});
  return `${response.status} left`;
}

/** Each kind of request a round sends EACH times, and the one outcome every such request must have. */
const KINDS: { kind: string; send: () => Promise<string>; expected: string }[] = [
  // Streamed: the first-byte timeout bounds a stream's first event; a non-streamed answer only its deadline.
  { kind: "vendor never answers", send: () => outcome(ask("hang", true)), expected: "504 upstream_timeout" },
  { kind: "vendor answers garbage", send: () => outcome(ask("garbage")), expected: "502 upstream_invalid_response" },
  { kind: "vendor streams garbage", send: () => outcome(ask("garbage", true)), expected: "502 upstream_invalid_response" },
  { kind: "vendor cuts the stream", send: () => outcome(ask("drop", true, "one two three four")), expected: "200 upstream_invalid_response" },
  { kind: "vendor fails with 500", send: () => outcome(ask("broken")), expected: "502 upstream_error" },
  { kind: "stream past the deadline", send: () => outcome(ask("slow", true, LONG_PROMPT)), expected: "200 upstream_timeout" },
  { kind: "client leaves mid-stream", send: leaveAfterFirstChunk, expected: "200 left" },
];

async function round(): Promise<void> {
  const eventsBefore = fx.origin.events().length;
  const outcomes = await Promise.all(
    KINDS.map(async ({ kind, send }) => [kind, [...new Set(await Promise.all(Array.from({ length: EACH }, send)))]] as const),
  );
  expect(Object.fromEntries(outcomes)).toEqual(Object.fromEntries(KINDS.map(({ kind, expected }) => [kind, [expected]])));

  // Every call the proxy gave up on (no answer, too slow, the client left) was closed at the vendor.
  await waitFor(() => fx.vendor.aborts("hang") === fx.vendor.calls("hang"), "every hung vendor call aborted");
  await waitFor(() => fx.vendor.aborts("slow") === fx.vendor.calls("slow"), "every slow vendor stream aborted");
  const requests = KINDS.length * EACH;
  await waitFor(() => fx.origin.events().length >= eventsBefore + requests, `the round's ${requests} usage events`, 10_000);
  // The hung calls were ended by the first-byte timeout (each attempt), not by the request's deadline.
  const hung = fx.origin.events().slice(eventsBefore).filter((event) => event.alias === "hang");
  expect(hung).toHaveLength(EACH);
  expect([...new Set(hung.flatMap((event) => (event.attemptTrail ?? []).map((step) => `${step.outcome}:${step.reason}`)))]).toEqual(["error:timeout_first_byte"]);
}

/**
 * Live objects of each tracked type, once collecting stops freeing any. Bun releases the native side
 * of some (abort signals) a moment after a collection, and in a process that has run the whole suite
 * that takes more than one collection: the counts are read until they no longer fall.
 */
async function tracked(): Promise<Record<(typeof TRACKED)[number], number>> {
  const read = () => {
    const counts = heapStats().objectTypeCounts as Record<string, number | undefined>;
    return Object.fromEntries(TRACKED.map((type) => [type, counts[type] ?? 0])) as Record<(typeof TRACKED)[number], number>;
  };
  let last: Record<(typeof TRACKED)[number], number> | null = null;
  for (let tries = 0; tries < 8; tries++) {
    Bun.gc(true);
    await Bun.sleep(100);
    Bun.gc(true);
    const now = read();
    if (last && TRACKED.every((type) => now[type] >= last![type])) return now;
    last = now;
  }
  return last!;
}

test("rounds of vendor faults and clients leaving: every request answered, every vendor call closed, nothing piles up", async () => {
  await round(); // warms what is created once (connection pools, compiled code)
  const before = await tracked();
  for (let i = 0; i < MEASURED_ROUNDS; i++) await round();
  const after = await tracked();
  // The measured rounds hold MEASURED_ROUNDS x EACH requests of every kind: a leak of one object per
  // request of any one kind grows its count by 40, and one per four requests by 10, the bound. Four
  // rounds rather than two (with the bound a quarter of the requests, as it was): a count read after
  // collecting still moves by a few objects that are no leak (abort signals whose native side Bun
  // releases late: "grew by 6" in one suite run, over two rounds' bound of 5), whatever the rounds.
  const bound = (MEASURED_ROUNDS * EACH) / 4;
  const verdicts = TRACKED.map((type) => [type, after[type] - before[type] < bound ? "flat" : `grew by ${after[type] - before[type]}`]);
  expect(Object.fromEntries(verdicts)).toEqual(Object.fromEntries(TRACKED.map((type) => [type, "flat"])));

  // A stop that had to wait out the grace period for a request still running logs it.
  await proxy.stop();
  expect(fx.logs.some((line) => line.includes("still running after the grace period"))).toBe(false);
}, 60_000);
