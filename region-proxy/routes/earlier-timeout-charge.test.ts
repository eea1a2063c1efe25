/**
 * Every call the vendor got and never answered because it timed out is charged its prompt estimate,
 * not only the walk's last: a timed-out call followed by a retry, a fallback that answered, or a
 * context-length refusal that became the answer was worked on and billed all the same, so N timed-out
 * calls cost N prompt estimates, each at its own deployment's price, once each.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { estimatePromptTokens } from "../limits/estimate-prompt-tokens.ts";
import type { ChatRequest } from "../providers/types.ts";
import { startPacedVendor } from "../testing/paced-vendor.ts";

const created = 1_700_000_000;
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ id: "x", object: "chat.completion.chunk", created, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] });
const usage = { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 };
const sse = (...events: unknown[]) => events.map((e) => `data: ${JSON.stringify(e)}\n\n`);
const answer = {
  json: { id: "x", object: "chat.completion", created, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "Hello" }, finish_reason: "stop" }], usage },
  frames: [...sse(chunk({ role: "assistant", content: "Hello" }), chunk({}, "stop"), { ...chunk({}), choices: [], usage }), "data: [DONE]\n\n"],
};
// The answer's reported usage at PACED_PRICE: 100 input at 10, 50 output at 40.
const ANSWERED = 100 * 10 + 50 * 40;
const TOO_LONG = { error: { message: "This model's maximum context length is 8 tokens.", type: "invalid_request_error", param: "messages", code: "context_length_exceeded" } };

let v: Awaited<ReturnType<typeof startPacedVendor>>;
beforeAll(async () => {
  v = await startPacedVendor(
    {
      answers: { provider: "openai", ...answer },
      // Holds its headers past its first-byte timeout (streamed) and its total (unstreamed). Its total
      // leaves a streamed retry its whole first-byte budget after the first timeout (the walk retries
      // only when a useful call still fits: retry-fits.ts).
      slow: { provider: "openai", ...answer, holdMs: 3_000, timeouts: { firstByteMs: 500, totalMs: 1_500 } },
      // Priced apart: a timed-out call is charged at its own deployment's price, not the answer's.
      small: { provider: "openai", status: 400, json: TOO_LONG, price: { input: 3_000_000, output: 3_000_000 } },
    },
    { "slow-then-answers": ["slow", "answers"], "too-long-then-slow": ["small", "slow"] },
  );
});
afterAll(() => v?.stop());

/** The prompt estimate of the harness's [{user: "hi"}] for a vendor model. */
const estimate = (model: string) => estimatePromptTokens({ model, messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw: {} } as unknown as ChatRequest, model);
const timedOutCalls = (event: UsageEvent) => event.attemptTrail!.filter((s) => s.outcome === "error" && (s.reason?.startsWith("timeout_") ?? false)).length;

test("streamed: a first deployment that timed out before its first byte is charged its prompt estimate on top of the fallback's answer", async () => {
  const { status, event } = await v.stream("slow-then-answers");
  expect(status).toBe(200);
  expect(event.attemptTrail!.map((s) => s.reason)).toEqual(["timeout_first_byte", null]);
  expect(event.usage.inputTokens).toBe(100 + estimate("slow"));
  expect(event.costMicros).toBe(ANSWERED + estimate("slow") * 10);
});

test("unstreamed: the same with a total timeout", async () => {
  const { status, event } = await v.chat("slow-then-answers");
  expect(status).toBe(200);
  expect(event.attemptTrail!.map((s) => s.reason)).toEqual(["timeout_total", null]);
  expect(event.costMicros).toBe(ANSWERED + estimate("slow") * 10);
});

test("two timed-out calls to one deployment are charged two prompt estimates, not one", async () => {
  const { status, event } = await v.stream("slow");
  expect(status).toBe(504);
  expect(timedOutCalls(event)).toBe(2);
  expect(event.usage).toMatchObject({ inputTokens: 2 * estimate("slow"), outputTokens: 0 });
  expect(event.costMicros).toBe(2 * estimate("slow") * 10);
});

test("a context-length refusal that stays the answer: each later timed-out call is charged, once", async () => {
  const { status, event } = await v.stream("too-long-then-slow");
  expect(status).toBe(400);
  expect(event.errorCode).toBe("context_length_exceeded");
  expect(event.attemptTrail![0]!.reason).toBe("context_length");
  const calls = timedOutCalls(event);
  expect(calls).toBeGreaterThan(0);
  expect(event.usage.inputTokens).toBe(calls * estimate("slow"));
  expect(event.costMicros).toBe(calls * estimate("slow") * 10);
});
