import { expect, test } from "bun:test";
import { formatReset, ratelimitHeaders } from "./ratelimit-headers.ts";

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
