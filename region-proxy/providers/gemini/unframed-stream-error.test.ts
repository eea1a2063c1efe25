/**
 * Google sends an error that happens after a 200 stream began as a bare JSON object outside SSE
 * framing (the fake Gemini's stream-error-* models do the same). Through a real proxy and the official
 * SDK: an INVALID_ARGUMENT fails fast as a 400 with Google's words, an UNAVAILABLE is retried as the 503
 * it is, and one after the first text ends the stream with an error, never a clean finish.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let fake: FakeVendor;
let client: OpenAI;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, client, stop } = await startVendorBehindProxy(
    { provider: "gemini", start: startFakeGemini },
    { invalid: "stream-error-invalid", overloaded: "stream-error-overloaded", late: "stream-error-late" },
  ));
});
afterAll(() => stop());

const ask = (model: string) => client.chat.completions.create({ model, messages: [{ role: "user", content: "Hello there" }], stream: true }, { maxRetries: 0 });

test("an INVALID_ARGUMENT object before any content: a 400 with Google's message, the vendor called once", async () => {
  const before = fake.calls();
  const error = await ask("invalid").catch((e) => e);
  expect(error.status).toBe(400);
  expect(error.message).toContain("oneof field 'data' is already set");
  expect(fake.calls() - before).toBe(1);
});

test("an UNAVAILABLE object before any content is the 503 it stands for: retried once, then a 502 upstream_error", async () => {
  const before = fake.calls();
  const error = await ask("overloaded").catch((e) => e);
  expect(error.status).toBe(502);
  expect(error.code).toBe("upstream_error");
  expect(fake.calls() - before).toBe(2);
});

test("an error object after the first text ends the stream with an error, not a clean finish", async () => {
  const stream = await ask("late");
  const seen: string[] = [];
  const failure = await (async () => {
    for await (const chunk of stream) seen.push(chunk.choices[0]?.delta?.content ?? "");
  })().then(() => null, (e) => e);
  expect(seen.join("")).not.toBe("");
  expect(failure).not.toBeNull();
});
