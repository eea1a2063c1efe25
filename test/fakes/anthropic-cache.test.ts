/**
 * The Anthropic fake's prompt cache: what it refuses in Anthropic's words (a cache_control not of
 * Anthropic's shape, more than four breakpoints), and the write then read of the prompt up to the last
 * breakpoint, counted out of input_tokens.
 */
import { expect, test } from "bun:test";
import { cacheControlProblem, cacheUsage } from "./anthropic-cache.ts";

const block = (cache_control?: unknown) => ({ type: "text", text: "some text", ...(cache_control === undefined ? {} : { cache_control }) });
const body = (...blocks: unknown[]) => ({ model: "claude", messages: [{ role: "user", content: blocks }] });

test("a cache_control of another shape, or a fifth breakpoint, is Anthropic's 400", () => {
  expect(cacheControlProblem(body(block({ type: "ephemeral" }), block({ type: "ephemeral", ttl: "1h" })))).toBeNull();
  expect(cacheControlProblem(body(block({ type: "forever" })))).toBe("messages.0.content.0.cache_control.type: Input should be 'ephemeral'");
  expect(cacheControlProblem(body(block({ type: "ephemeral", ttl: "2h" })))).toBe("messages.0.content.0.cache_control.ttl: Input should be '5m' or '1h'");
  expect(cacheControlProblem({ model: "claude", system: [block({ type: "ephemeral", x: 1 })], messages: [] })).toBe("system.0.cache_control.x: Extra inputs are not permitted");
  const five = Array.from({ length: 5 }, () => block({ type: "ephemeral" }));
  expect(cacheControlProblem(body(...five))).toBe("A maximum of 4 blocks with cache_control may be provided. Found 5.");
});

test("the prefix up to the last breakpoint is written once, then read; without a breakpoint nothing is cached", () => {
  const cache = new Set<string>();
  const request = body(block({ type: "ephemeral" }), block());
  const first = cacheUsage(request, 100, cache)!;
  expect(first.cache_creation_input_tokens).toBeGreaterThan(0);
  expect(first.cache_read_input_tokens).toBe(0);
  expect(first.input_tokens).toBe(100 - first.cache_creation_input_tokens);
  expect(cacheUsage(request, 100, cache)).toEqual({ input_tokens: first.input_tokens, cache_creation_input_tokens: 0, cache_read_input_tokens: first.cache_creation_input_tokens });
  expect(cacheUsage(body(block(), block()), 100, cache)).toBeNull();
});
