/**
 * A vendor error answer whose body is over 1 MB keeps its status: its first 1 MB is read (the rest
 * cancelled, read-bounded.ts readPrefix) and classified as any error answer. A 429 with Retry-After is
 * the vendor's rate limit (429 with its Retry-After), a 400 fails fast as the caller's error, without
 * a retry or a fallback. Before, the body was "too large", a transient invalid_response: 502, retried.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { head, startRawVendors, type RawScript } from "../testing/raw-vendor.ts";

const calls: Record<string, number> = { dep_big429: 0, dep_big400: 0 };
const big = (id: string, status: string, type: string, extra: Record<string, string> = {}): RawScript => (s) => {
  calls[id]!++;
  const b = JSON.stringify({ error: { message: `${type}: ` + "x".repeat(2_000_000), type, param: null, code: null } });
  s.write(head(status, { "content-type": "application/json", "content-length": b.length, ...extra }) + b);
  s.end();
};
let t: Awaited<ReturnType<typeof startRawVendors>>;
beforeAll(async () => {
  t = await startRawVendors(
    {
      dep_big429: { provider: "openai", script: big("dep_big429", "429 Too Many Requests", "rate_limit_exceeded", { "retry-after": "2" }) },
      dep_big400: { provider: "openai", script: big("dep_big400", "400 Bad Request", "invalid_request_error") },
    },
    { limited: ["dep_big429"], refused: ["dep_big400", "dep_echo1"] },
  );
});
afterAll(() => t?.stop());

test("a 429 with a large body is still the vendor's rate limit: 429 with its Retry-After", async () => {
  const error = await t.client.chat.completions.create({ model: "limited", messages: [{ role: "user", content: "hi" }] }, { maxRetries: 0 }).catch((e) => e);
  expect(error.status).toBe(429);
  expect(error.headers.get("retry-after")).toBe("2");
}, 30_000);

test("a 400 with a large body fails fast as the caller's error, without a retry or a fallback", async () => {
  const error = await t.client.chat.completions.create({ model: "refused", messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
  expect(calls.dep_big400).toBe(1);
  expect(error.status).toBe(400);
  expect(error.message.length).toBeLessThan(10_000);
}, 30_000);
