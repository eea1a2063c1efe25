import { describe, expect, test } from "bun:test";
import { createMemoryRateLimiter } from "./memory-rate-limiter.ts";
import { describeRateLimiter } from "./rate-limiter.suite.ts";

describeRateLimiter("in-process", {
  async pair() {
    const limiter = createMemoryRateLimiter();
    return [limiter, limiter];
  },
});

describe("in-process rate limiter, idle levels", () => {
  test("with many live levels, requests do not each scan the table: sweeps stay rare", async () => {
    const sweeps: { visited: number; dropped: number }[] = [];
    const limiter = createMemoryRateLimiter({ sweepAbove: 10, onSweep: (s) => sweeps.push(s) });
    const now = 1_000_000;
    // 200 keys at 1 RPM: each level stays live for a minute, so no sweep can drop them.
    for (let i = 0; i < 200; i++) await limiter.acquire([{ scope: `key:${i}`, rpm: 1 }], 0, now);
    // 2,000 more requests on levels that already exist.
    for (let i = 0; i < 2_000; i++) await limiter.acquire([{ scope: `key:${i % 200}`, rpm: 1 }], 0, now + 1);
    const visited = sweeps.reduce((sum, s) => sum + s.visited, 0);
    // Sweeping at 11, 22, 44, 88, 176 entries: under 400 visits. Scanning on every request over 10: 400,000.
    expect(visited).toBeLessThan(400);
    expect(sweeps.every((s) => s.dropped === 0)).toBe(true);
  });

  test("idle levels are still dropped once the table grows again", async () => {
    const sweeps: { visited: number; dropped: number }[] = [];
    const limiter = createMemoryRateLimiter({ sweepAbove: 10, onSweep: (s) => sweeps.push(s) });
    const now = 1_000_000;
    // 100 levels at 60,000 RPM: each is full again 1 ms after its request.
    for (let i = 0; i < 100; i++) await limiter.acquire([{ scope: `idle:${i}`, rpm: 60_000 }], 0, now);
    const droppedBefore = sweeps.reduce((sum, s) => sum + s.dropped, 0);
    for (let i = 0; i < 100; i++) await limiter.acquire([{ scope: `later:${i}`, rpm: 60_000 }], 0, now + 10_000);
    const dropped = sweeps.reduce((sum, s) => sum + s.dropped, 0) - droppedBefore;
    expect(dropped).toBeGreaterThanOrEqual(90);
    // A dropped level is a full bucket: the next request on it is allowed.
    expect((await limiter.acquire([{ scope: "idle:0", rpm: 60_000 }], 0, now + 10_000)).allowed).toBe(true);
  });
});
