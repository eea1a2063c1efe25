import { expect, test } from "bun:test";
import { formatReset, ratelimitHeaders, withTokensRefunded } from "./ratelimit-headers.ts";

test("resets are Go durations as OpenAI writes them", () => {
  expect(formatReset(0)).toBe("0s");
  expect(formatReset(12)).toBe("12ms");
  expect(formatReset(0.2)).toBe("1ms");
  expect(formatReset(1000)).toBe("1s");
  expect(formatReset(8640)).toBe("8.64s");
  expect(formatReset(59_999)).toBe("59.999s");
  expect(formatReset(360_000)).toBe("6m0s");
  expect(formatReset(90_500)).toBe("1m30.5s");
  expect(formatReset(3_600_000)).toBe("1h0m0s");
});

test("headers only for the kinds some level limits", () => {
  expect(ratelimitHeaders({ requests: { limit: 60, remaining: 59, resetMs: 1000 }, tokens: null })).toEqual({
    "x-ratelimit-limit-requests": "60",
    "x-ratelimit-remaining-requests": "59",
    "x-ratelimit-reset-requests": "1s",
  });
  expect(ratelimitHeaders({ requests: null, tokens: { limit: 150000, remaining: 149984, resetMs: 6.4 } })).toEqual({
    "x-ratelimit-limit-tokens": "150000",
    "x-ratelimit-remaining-tokens": "149984",
    "x-ratelimit-reset-tokens": "7ms",
  });
  expect(ratelimitHeaders({ requests: null, tokens: null })).toEqual({});
});

test("a token window refunded to a full bucket resets in 0s, not in the rounding left of its charge", () => {
  // 4104 tokens on a 100,000 TPM level: charged, the bucket is full again in 2462.4 ms, shown rounded up (2463).
  const charged = { limit: 100_000, remaining: 95_896, resetMs: 2463 };
  expect(withTokensRefunded(charged, 4104)).toEqual({ limit: 100_000, remaining: 100_000, resetMs: 0 });
  expect(ratelimitHeaders({ requests: null, tokens: withTokensRefunded(charged, 4104) })["x-ratelimit-reset-tokens"]).toBe("0s");
  // Not full after the refund: the wait left is the one before this request's charge.
  expect(withTokensRefunded({ limit: 100_000, remaining: 50_000, resetMs: 30_000 }, 10_000)).toEqual({ limit: 100_000, remaining: 60_000, resetMs: 24_000 });
});
