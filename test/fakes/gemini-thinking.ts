/**
 * What the Gemini fake's models take of a thinkingConfig, as Gemini answers the rest
 * (https://ai.google.dev/gemini-api/docs/thinking): a thinkingLevel only on Gemini 3 models ("Thinking
 * level is not supported for this model."), and of those levels only the model's own (gemini-3-pro*
 * low and high, gemini-3.1-pro* low, medium and high, any other gemini-3* all four: "Thinking level
 * MEDIUM is not supported for this model. Please retry with other thinking level."); and Gemini 2.5 Pro,
 * which cannot stop thinking, no thinkingBudget of 0 ("Budget 0 is invalid. This model only works in
 * thinking mode.").
 *
 * @example thinkingRefusal("gemini-3-pro-preview", { level: "MEDIUM" }) // "Thinking level MEDIUM is not supported for this model. ..."
 */
import type { GenerateRequest } from "./gemini-request.ts";

function levelsOf(model: string): string[] | null {
  if (!model.startsWith("gemini-3")) return null;
  if (model.startsWith("gemini-3-pro")) return ["LOW", "HIGH"];
  if (model.startsWith("gemini-3.1-pro")) return ["LOW", "MEDIUM", "HIGH"];
  return ["MINIMAL", "LOW", "MEDIUM", "HIGH"];
}

/** The message of Gemini's 400 for this model's thinkingConfig, or null when the model takes it. */
export function thinkingRefusal(model: string, thinking: GenerateRequest["thinking"]): string | null {
  if (thinking.level !== undefined && thinking.level !== "THINKING_LEVEL_UNSPECIFIED") {
    const levels = levelsOf(model);
    if (levels === null) return "Thinking level is not supported for this model.";
    if (!levels.includes(thinking.level)) return `Thinking level ${thinking.level} is not supported for this model. Please retry with other thinking level.`;
  }
  if (thinking.budget === 0 && model.startsWith("gemini-2.5-pro")) return "Budget 0 is invalid. This model only works in thinking mode.";
  return null;
}
