/**
 * Azure adds content-filter annotations to OpenAI's shapes
 * (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/content-filter):
 * `prompt_filter_results` at the top, `content_filter_results` on each choice, and, when streaming,
 * a first chunk with `choices: []` that carries only the prompt's results. The gateway speaks
 * OpenAI's API, so these are removed; a filtered answer still shows as finish_reason `content_filter`.
 */

/** True for the annotation-only chunk Azure streams before the first token (no choices, no usage). */
export function isPromptFilterChunk(chunk: Record<string, unknown>): boolean {
  return Array.isArray(chunk.choices) && chunk.choices.length === 0 && !chunk.usage && "prompt_filter_results" in chunk;
}

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
