/**
 * A 2xx answer whose connection breaks mid-body is one kind of failure whatever its framing
 * (VendorBodyCutError): a Content-Length body cut short, a chunked one cut short, a stream with a bad
 * chunk size. The vendor answered (it generated the answer), so each call is charged as a call left
 * unanswered is (the prompt estimate, or what it reported), retried and fallen back as before; the
 * client sees the same code. Before, a Content-Length body was `network` and charged nothing, a
 * chunked one `invalid_response` and charged per call, and a stream's `network` nothing.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { head, startRawVendors } from "../testing/raw-vendor.ts";

let t: Awaited<ReturnType<typeof startRawVendors>>;
beforeAll(async () => {
  t = await startRawVendors(
    {
      dep_cut_length: { provider: "openai", script: (s) => { s.write(head("200 OK", { "content-type": "application/json", "content-length": 500 }) + '{"id":"x","choices":['); setTimeout(() => s.terminate(), 30); } },
      dep_cut_chunked: { provider: "openai", script: (s) => { s.write(head("200 OK", { "content-type": "application/json", "transfer-encoding": "chunked" }) + '15\r\n{"id":"x","choices":[\r\n'); setTimeout(() => s.terminate(), 30); } },
      dep_bad_gzip: { provider: "openai", script: (s) => { const b = '{"id":"x","choices":[]}'; s.write(head("200 OK", { "content-type": "application/json", "content-encoding": "gzip", "content-length": b.length }) + b); s.end(); } },
      dep_bad_chunk_size: { provider: "openai", script: (s) => { s.write(head("200 OK", { "content-type": "text/event-stream", "transfer-encoding": "chunked" }) + "zz\r\ndata: {}\r\n"); setTimeout(() => s.end(), 30); } },
    },
    { length: ["dep_cut_length"], chunked: ["dep_cut_chunked"], gzip: ["dep_bad_gzip"], bad_chunk: ["dep_bad_chunk_size"] },
  );
});
afterAll(() => t?.stop());

async function failed(model: string, stream = false) {
  const error = await t.client.chat.completions.create({ model, messages: [{ role: "user", content: "hello there, how are you" }], stream }).catch((e) => e);
  const event = await t.eventOf(error.headers?.get?.("x-request-id") ?? null);
  return { status: error.status, code: error.code, cost: event.costMicros, trail: event.attemptTrail?.map((s) => `${s.outcome}:${s.reason}`) };
}

test("the same mid-body reset is billed the same whether the body had a Content-Length or was chunked: each call the prompt estimate", async () => {
  const length = await failed("length");
  const chunked = await failed("chunked");
  expect(length.cost).toBeGreaterThan(0);
  expect(chunked).toEqual(length);
  // Each call (the first and its retry) ended answer_cut: the calls the prompt estimate is charged for.
  expect(length.trail).toEqual(["error:answer_cut", "error:answer_cut"]);
}, 30_000);

test("a body its Content-Encoding does not match, and a stream with a bad chunk size, are the same cut answer", async () => {
  const length = await failed("length");
  expect(await failed("gzip")).toEqual(length);
  const stream = await failed("bad_chunk", true);
  expect([stream.code, stream.cost, stream.trail]).toEqual([length.code, length.cost, length.trail]);
}, 30_000);
