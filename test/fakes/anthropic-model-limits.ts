/**
 * What the fake Anthropic refuses by the model it is asked for, in Anthropic's words, or null. Ids
 * of the current form (`claude-sonnet-4-5`, `claude-opus-4-1-20250805`) and of the old one
 * (`claude-3-5-sonnet-20241022`, `claude-3-opus-20240229`: version before the line) are read; any
 * other name (the fault-mode names, `claude-fake`) takes what older models take.
 * - Claude Opus 4.1, Sonnet 4.5, Haiku 4.5 and later: temperature and top_p together
 *   (https://platform.claude.com/docs/en/about-claude/models/migrating-to-claude-4).
 * - Claude Opus 4.6, Sonnet 4.6 and later: a conversation ending on an assistant turn, a prefill
 *   (https://platform.claude.com/docs/en/about-claude/models/migration-guide).
 * - Claude 5.1 and later but Haiku (Opus 5.5, Sonnet 5.5, Fable 5.1, Mythos 5.1): a forced tool_choice (`any`,
 *   `tool`), thinking or not ("Forced tool use returns an error", What's new in Claude Opus 5.5), in
 *   words of the fake's own.
 * - Claude Opus 4.7 and later (the Claude 5 models, Haiku 5.5): a temperature, top_p or top_k other than
 *   the default, "`temperature` is deprecated for this model." (Anthropic's words, RooCodeInc/Roo-Code#12162),
 *   top_p and top_k in the same words.
 *
 * @example modelLimitProblem({ model: "claude-haiku-4-5", temperature: 0.5, top_p: 0.9 }) // "`temperature` and `top_p` cannot both be specified for this model. Please use only one."
 */
const CURRENT_FORM = /^claude-[a-z]+-(\d+)(?:-(\d{1,2})(?!\d))?(?!\d)/;
const OLD_FORM = /^claude-(\d+)(?:-(\d{1,2}))?-[a-z]/;

/** 10 × major + minor of a current-form or old-form id (`claude-opus-4-6` → 46, `claude-3-5-sonnet-20241022` → 35), or null. */
export function generation(model: string): number | null {
  const match = CURRENT_FORM.exec(model) ?? OLD_FORM.exec(model);
  return match ? 10 * Number(match[1]) + Number(match[2] ?? 0) : null;
}

/** Claude 5.1 and later but Haiku, by a current-form id: forced tool use refused, thinking or not. */
export function refusesForcedToolUse(model: unknown): boolean {
  const g = typeof model === "string" ? generation(model) : null;
  return g !== null && g >= 51 && !/haiku/i.test(String(model));
}

export function modelLimitProblem(body: Record<string, unknown>): string | null {
  const g = typeof body.model === "string" ? generation(body.model) : null;
  if (g === null) return null;
  if (g >= 47) {
    for (const field of ["temperature", "top_p", "top_k"]) if (body[field] != null && !(field !== "top_k" && body[field] === 1)) return `\`${field}\` is deprecated for this model.`;
  }
  if (g >= 41 && body.temperature != null && body.top_p != null) return "`temperature` and `top_p` cannot both be specified for this model. Please use only one.";
  const last = Array.isArray(body.messages) ? (body.messages.at(-1) as { role?: unknown } | undefined) : undefined;
  const choice = (body.tool_choice as { type?: unknown } | null | undefined)?.type;
  if (refusesForcedToolUse(body.model) && (choice === "any" || choice === "tool")) return "tool_choice: forced tool use is not supported for this model. Use tool_choice 'auto' or 'none'.";
  if (g >= 46 && last?.role === "assistant") return "This model does not support assistant message prefill. The conversation must end with a user message.";
  return null;
}
