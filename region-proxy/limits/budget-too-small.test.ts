/**
 * A request whose worst case alone costs more than a whole budget can never pass, in this period or any
 * other: its refusal says so, and what to reduce, as "Request too large" does for a TPM level. It read as
 * any exhausted budget ("Budget exceeded ...: spent $0.00 ... of $0.005000"), though nothing was spent
 * and the same request with a smaller max_tokens passes at once (a request naming none counts 4096
 * output tokens per answer).
 */
import { expect, test } from "bun:test";
import { renderError } from "../../shared/errors/openai-error.ts";
import type { ChatRequest } from "../providers/types.ts";
import { createLimits } from "./create-limits.ts";
import { DEPLOYMENT, testKey, testSnapshot } from "./test-snapshot.ts";

const NOW = new Date("2026-11-25T12:00:00Z");
// 2 µ$ per output token: 4096 tokens are $0.008192, over a $0.005 budget.
const noCap: ChatRequest = { model: "chat", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw: {} };

test("a chat request dearer than the whole budget is told it can never fit, and what to reduce", async () => {
  const { enforcer, close } = await createLimits({ region: "eu" });
  try {
    const snapshot = testSnapshot();
    const key = testKey({ budgets: { dailyMicros: 5_000 } });
    const admit = (request: ChatRequest) => enforcer.admit({ snapshot, key, tenantId: key.tenantId, featureId: null, request, deployment: DEPLOYMENT, now: NOW });
    const refused = await admit(noCap);
    if (refused.ok) throw new Error("admitted past the cap");
    const rendered = renderError(refused.error);
    expect(rendered.status).toBe(429);
    expect(rendered.headers["x-should-retry"]).toBe("false");
    expect(rendered.body.error.code).toBe("insufficient_quota");
    expect(rendered.body.error.message).toContain("key:key_one (day:2026-11-25@UTC)");
    expect(rendered.body.error.message).toContain("more than the whole budget");
    expect(rendered.body.error.message).toContain("Reduce the prompt or max_tokens");
    // The same request with a cap of its own fits.
    expect((await admit({ ...noCap, max_tokens: 1000 })).ok).toBe(true);
  } finally {
    await close();
  }
});

test("an embeddings request dearer than the whole budget is told to reduce its input", async () => {
  const { enforcer, close } = await createLimits({ region: "eu" });
  try {
    const snapshot = testSnapshot();
    const key = testKey({ budgets: { dailyMicros: 5_000 } });
    const refused = await enforcer.admit({ snapshot, key, tenantId: key.tenantId, featureId: null, request: { promptTokens: 6_000, maxOutputTokens: 0 }, deployment: DEPLOYMENT, now: NOW });
    if (refused.ok) throw new Error("admitted past the cap");
    const message = renderError(refused.error).body.error.message;
    expect(message).toContain("more than the whole budget");
    expect(message).toContain("Reduce the input");
    expect(message).not.toContain("max_tokens");
  } finally {
    await close();
  }
});

test("a spent budget is not told the request is too large", async () => {
  const { enforcer, close } = await createLimits({ region: "eu" });
  try {
    const snapshot = testSnapshot();
    const key = testKey({ budgets: { dailyMicros: 5_000 } });
    const admit = () => enforcer.admit({ snapshot, key, tenantId: key.tenantId, featureId: null, request: { ...noCap, max_tokens: 1000 }, deployment: DEPLOYMENT, now: NOW });
    const first = await admit();
    if (!first.ok) throw new Error("refused the first");
    await first.ticket.settle({ inputTokens: 8, outputTokens: 1000, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, 4_500);
    const refused = await admit();
    if (refused.ok) throw new Error("admitted past the cap");
    const message = renderError(refused.error).body.error.message;
    expect(message).toMatch(/^Budget exceeded for key:key_one/);
    expect(message).not.toContain("whole budget");
  } finally {
    await close();
  }
});
