/**
 * Azure adds content-filter annotations to OpenAI's shapes
 * (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/content-filter):
 * `prompt_filter_results` at the top, `content_filter_results` on each choice, and, when streaming,
 * chunks that carry only annotations (see isAnnotationOnlyChunk). The gateway speaks
 * OpenAI's API, so these are removed; a filtered answer still shows as finish_reason `content_filter`.
 */

/**
 * True for a streamed chunk that carries only annotations, which the client must not see (its empty
 * id, model and `created: 0` would become the SDK's final completion's):
 * - the prompt-filter preamble before the first token: `choices: []`, no usage, with
 *   `prompt_filter_results` (`prompt_annotations` in api-versions up to 2023-06-01-preview);
 * - the asynchronous filter's annotation, which may come after the finish chunk: choices that
 *   carry `content_filter_results`/`content_filter_offsets` but no `delta`, finish_reason null, and
 *   no usage (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/content-streaming).
 * A delta-less choice with a finish_reason is the asynchronous filter blocking the answer: see
 * withAsyncFilterFinish.
 */
export function isAnnotationOnlyChunk(chunk: Record<string, unknown>): boolean {
  if (!Array.isArray(chunk.choices) || chunk.usage) return false;
  if (chunk.choices.length === 0) return "prompt_filter_results" in chunk || "prompt_annotations" in chunk;
  return chunk.choices.every((choice) => isDeltaless(choice) && (choice as { finish_reason?: unknown }).finish_reason == null);
}

/** The model and created time the client sees on the chunks of one stream. */
export interface StreamIdentity {
  model: string;
  created: number;
}

/**
 * The chunk as the client may see it when some choice has no delta: the asynchronous filter's
 * annotations dropped, and its block (`finish_reason: "content_filter"` on a delta-less choice, the
 * chunk's id, model and object empty, `created: 0`; Azure's "Sample response stream (blocked by
 * filters)") turned into `{index, delta: {}, finish_reason}` in a chunk with the stream's own model
 * and created time. Without it the client's answer would have no finish_reason at all. A chunk
 * where every choice has a delta is returned as is.
 */
export function withAsyncFilterFinish(chunk: Record<string, unknown>, stream: StreamIdentity): Record<string, unknown> {
  if (!Array.isArray(chunk.choices) || !chunk.choices.some(isDeltaless)) return chunk;
  const choices = chunk.choices
    .filter((choice) => !isDeltaless(choice) || (choice as { finish_reason?: unknown }).finish_reason != null)
    .map((choice) => {
      if (!isDeltaless(choice)) return choice;
      const { index, finish_reason } = choice as { index?: unknown; finish_reason?: unknown };
      return { index, delta: {}, finish_reason };
    });
  return { ...chunk, object: "chat.completion.chunk", model: stream.model, created: stream.created, choices };
}

const isDeltaless = (choice: unknown) => typeof choice === "object" && choice !== null && !("delta" in choice);

/** A copy without Azure's annotations. */
export function stripContentFilter<T extends Record<string, unknown>>(value: T): T {
  const { prompt_filter_results: _p, prompt_annotations: _a, ...rest } = value as Record<string, unknown>;
  if (Array.isArray(rest.choices)) {
    rest.choices = rest.choices.map((choice) => {
      if (typeof choice !== "object" || choice === null) return choice;
      const { content_filter_results: _c, content_filter_offsets: _o, ...kept } = choice as Record<string, unknown>;
      return kept;
    });
  }
  return rest as T;
}
