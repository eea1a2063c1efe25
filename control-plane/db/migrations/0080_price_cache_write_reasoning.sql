-- Prompt-cache writes and reasoning tokens get their own optional prices (micro-USD per 1M tokens).
-- Anthropic bills a 5-minute cache write at 1.25x input and a 1-hour one at 2x; without a column the
-- snapshot published no cacheWrite price and cost.ts charged every written token at the plain input
-- price. Null keeps the fallback: cache writes at the input price, reasoning at the output price.
alter table prices
  add column cache_write_micros bigint check (cache_write_micros >= 0),
  add column reasoning_micros   bigint check (reasoning_micros >= 0);
