/**
 * Wiring from configuration: no REDIS_URL → in-process counters; a Redis that does not answer →
 * degraded, each replica enforcing its share, budgets failing closed unless the tenant says open.
 */
import { afterAll, expect, test } from "bun:test";
import { renderError } from "../../shared/errors/openai-error.ts";
import type { ChatRequest } from "../providers/types.ts";
import { createLimits, type RunningLimits } from "./create-limits.ts";
import type { AdmitInput } from "./enforce-limits.ts";
import { DEPLOYMENT, ORG, testKey, testSnapshot } from "./test-snapshot.ts";
import { freePort } from "../../test/support/ports.ts";

const NOW = new Date("2026-11-25T12:00:00Z");
const opened: RunningLimits[] = [];
afterAll(async () => {
  for (const limits of opened) await limits.close();
});

const request: ChatRequest = { model: "chat", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, max_tokens: 10, raw: {} };

test("without Redis the counters live in process and are never degraded", async () => {
  const limits = await createLimits({ region: "eu" });
  opened.push(limits);
  const snapshot = testSnapshot();
  const key = testKey({ limits: { rpm: 3 } });
  const input: AdmitInput = { snapshot, key, tenantId: key.tenantId, featureId: null, request, deployment: DEPLOYMENT, now: NOW };
  const results = await Promise.all(Array.from({ length: 5 }, () => limits.enforcer.admit(input)));
  expect(results.filter((r) => r.ok)).toHaveLength(3);
  expect(limits.shared).toBe(false);
  expect(limits.degraded()).toBe(false);
});

test("a Redis that does not answer: degraded, this replica's share of each limit, budgets closed unless the tenant opens them", async () => {
  const lines: string[] = [];
  const limits = await createLimits({ region: "eu", redisUrl: `redis://127.0.0.1:${freePort()}`, replicaShare: 0.5, connectWaitMs: 50, log: (l) => lines.push(l) });
  opened.push(limits);
  const key = testKey({ limits: { rpm: 10 } });
  const base = { key, tenantId: key.tenantId, featureId: null, request, deployment: DEPLOYMENT, now: NOW };
  const rated = await Promise.all(Array.from({ length: 8 }, () => limits.enforcer.admit({ ...base, snapshot: testSnapshot() })));
  expect(limits.degraded()).toBe(true);
  expect(limits.enforcer.degraded()).toBe(true);
  expect(rated.filter((r) => r.ok)).toHaveLength(5);
  expect(lines.some((l) => l.includes("in-process counters") || l.includes("in memory"))).toBe(true);

  const budgeted = { ...base, key: testKey({ id: "key_b" }) };
  const closed = await limits.enforcer.admit({ ...budgeted, snapshot: testSnapshot({ [ORG]: { budgets: { dailyMicros: 1_000_000 } } }) });
  expect(closed.ok).toBe(false);
  if (!closed.ok) {
    const rendered = renderError(closed.error);
    expect(rendered.status).toBe(503);
    expect(rendered.headers["retry-after"]).toBe("1");
    expect(rendered.body.error.code).toBe("budget_unavailable");
  }
  const open = await limits.enforcer.admit({ ...budgeted, snapshot: testSnapshot({ [ORG]: { budgets: { dailyMicros: 1_000_000 }, budgetFailOpen: true } }) });
  expect(open.ok).toBe(true);
  if (open.ok) await open.ticket.settle({ inputTokens: 5, outputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, 30);
});

test("the 'not reachable yet' line names a host:port or socket REDIS_URL, and hides a URL's user, password and query (shownUrl, as the start errors quote it)", async () => {
  const port = freePort();
  for (const [url, shown] of [
    [`127.0.0.1:${port}`, `"127.0.0.1:${port}"`],
    [`/tmp/gw-no-such-redis-${port}.sock`, `"/tmp/gw-no-such-redis-${port}.sock"`],
    [`redis://:hunter2@127.0.0.1:${port}`, `"redis://***@127.0.0.1:${port}"`],
    // ioredis reads a password from the query too; config.ts accepts such a URL.
    [`redis://127.0.0.1:${port}/0?password=hunter2`, `"redis://127.0.0.1:${port}/0?***"`],
    // Not a redis:// URL but holding an "@" (config.ts refuses this one; createLimits may be given anything).
    [`\tredis://:hunter2@127.0.0.1:${port}`, `"\\tredis://***@127.0.0.1:${port}"`],
  ]) {
    const lines: string[] = [];
    const limits = await createLimits({ region: "eu", redisUrl: url, connectWaitMs: 100, log: (line) => lines.push(line) });
    await limits.close();
    const line = lines.find((l) => l.includes("not reachable yet"));
    expect(line).toContain(`Redis at ${shown}`);
    expect(line).not.toContain("hunter2");
  }
});
