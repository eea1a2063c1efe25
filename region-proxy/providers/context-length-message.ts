/**
 * The message of a context-length refusal the gateway relabels `context_length_exceeded` (a vendor
 * that said it in its own words and codes: Anthropic, Gemini, an OpenAI-compatible server such as
 * vLLM), worded as OpenAI words it: clients recognise the refusal by those words as well as by the
 * code (LiteLLM's ContextWindowExceededError, which its `context_window_fallbacks` need, matches
 * "This model's maximum context length is"; Node frameworks see only the message). OpenAI's sentence
 * with the figures the adapter read from the vendor's words, or OpenAI's opening before the vendor's
 * words when it gave none; words that already say "maximum context length is" (older vLLM's) are kept.
 * A vendor's own `context_length_exceeded` (OpenAI, Azure) is passed on as it said it, not through here.
 *
 * @example contextLengthMessage("prompt is too long: 205000 tokens > 200000 maximum", { maxTokens: 200000, messageTokens: 205000 })
 *          // "This model's maximum context length is 200000 tokens. However, your messages resulted in 205000 tokens. Please reduce the length of the messages."
 */

/** What a vendor's refusal says in numbers: the window, the prompt's tokens and (when counted in) the completion's. */
export interface ContextLengthFigures {
  maxTokens: number;
  messageTokens: number;
  completionTokens?: number;
}

const OPENAI_WORDS = /maximum context length is/i;

export function contextLengthMessage(vendorText: string, figures: ContextLengthFigures | null): string {
  if (OPENAI_WORDS.test(vendorText)) return vendorText;
  if (figures === null) return `This model's maximum context length is exceeded: ${vendorText}`;
  const { maxTokens, messageTokens, completionTokens } = figures;
  if (completionTokens === undefined) {
    return `This model's maximum context length is ${maxTokens} tokens. However, your messages resulted in ${messageTokens} tokens. Please reduce the length of the messages.`;
  }
  return (
    `This model's maximum context length is ${maxTokens} tokens. However, you requested ${messageTokens + completionTokens} tokens ` +
    `(${messageTokens} in the messages, ${completionTokens} in the completion). Please reduce the length of the messages or completion.`
  );
}
