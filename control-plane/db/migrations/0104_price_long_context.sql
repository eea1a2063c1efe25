-- A price's optional long-context tier (micro-USD per 1M tokens): a request whose prompt (every input
-- token, cached and cache-write ones included) passes long_context_threshold_tokens is billed every
-- class at the tier, as Gemini 2.5 Pro and 3 Pro are over 200k prompt tokens and Claude Sonnet 4/4.5
-- (1M context) over 200k input tokens. Without these columns such a request settled at the base rate.
-- Null threshold = no tier. The tier's optional classes mirror the row's (setPrice refuses a tier that
-- lacks one the row has, or has one the row lacks); input and output always go with the threshold.
alter table prices
  add column long_context_threshold_tokens      bigint check (long_context_threshold_tokens > 0),
  add column long_context_input_micros          bigint check (long_context_input_micros >= 0),
  add column long_context_output_micros         bigint check (long_context_output_micros >= 0),
  add column long_context_cached_input_micros   bigint check (long_context_cached_input_micros >= 0),
  add column long_context_cache_write_micros    bigint check (long_context_cache_write_micros >= 0),
  add column long_context_reasoning_micros      bigint check (long_context_reasoning_micros >= 0),
  add constraint prices_long_context_whole check (
    (long_context_threshold_tokens is null) = (long_context_input_micros is null)
    and (long_context_threshold_tokens is null) = (long_context_output_micros is null)
    and (long_context_threshold_tokens is not null or (long_context_cached_input_micros is null
      and long_context_cache_write_micros is null and long_context_reasoning_micros is null))
  );
