/**
 * OpenAI's `reasoning_effort` → Gemini's `generationConfig.thinkingConfig`, as Google's OpenAI-compatible
 * endpoint maps it (https://ai.google.dev/gemini-api/docs/openai#thinking):
 * - Gemini 2.5 takes a thinkingBudget: low 1,024 tokens, medium 8,192, high 24,576, none 0 (thinking
 *   off), except on 2.5 Pro, which cannot stop thinking (Gemini: "Budget 0 is invalid. This model only
 *   works in thinking mode.").
 * - Gemini 3 takes a thinkingLevel of the same name, among the levels each model takes
 *   (https://ai.google.dev/gemini-api/docs/thinking#thinking-levels): 3 Pro low and high, 3.1 Pro low,
 *   medium and high, 3 Flash and 3.1 Flash-Lite minimal, low, medium and high; a later Gemini 3 model low,
 *   medium and high, which every one after 3 Pro takes (minimal is not taken by all of them). No Gemini 3
 *   model can stop thinking.
 * - An id naming no version (gemini-flash-latest, a tuned model) gets the budget, which Gemini 2.5 and 3
 *   both take (Gemini 3 for backward compatibility); none is refused, as it is not known the model can stop.
 *
 * Never both fields: Gemini refuses the pair ("You can only set only one of thinking budget and thinking
 * level."). A value the model cannot take is a 400 naming reasoning_effort before the call, so a chain
 * skips the deployment for one that can, never a substitute: Google's endpoint answers minimal on 2.5
 * and on 3 Pro, and none on Gemini 3, with another setting, which the client did not ask for. Models
 * before 2.5 do not think at all.
 *
 * @example thinkingConfig("low", "gemini-2.5-flash") // { thinkingBudget: 1024 }
 * @example thinkingConfig("high", "gemini-3-pro-preview") // { thinkingLevel: "HIGH" }
 * @example thinkingConfig("medium", "gemini-3-pro-preview") // throws UnsupportedParameterError("reasoning_effort", ...)
 */
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { type GeminiVersion, geminiVersion } from "./model-version.ts";

export type ThinkingConfig = { thinkingBudget: number } | { thinkingLevel: string };

const BUDGETS: Record<string, number> = { low: 1024, medium: 8192, high: 24576 };
const LEVELS = ["minimal", "low", "medium", "high"];

const refuse = (why: string): never => {
  throw new UnsupportedParameterError("reasoning_effort", why);
};
const listed = (values: string[]) => {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}` : quoted.join("");
};

/** The thinkingConfig for the client's reasoning_effort on `model`; null when the client asked for none. */
export function thinkingConfig(effort: unknown, model: string): ThinkingConfig | null {
  if (effort === undefined || effort === null) return null;
  if (typeof effort !== "string") return refuse("reasoning_effort must be a string.");
  const version = geminiVersion(model);
  if (version === null) return budgetOf(effort, "This deployment's model id names no Gemini version, so it is not known to turn thinking off");
  if (version.major < 2 || (version.major === 2 && version.minor < 5)) return refuse("This model does not think; reasoning_effort is for Gemini 2.5 and later models.");
  if (version.major === 2) return budgetOf(effort, version.line.startsWith("pro") ? "Gemini 2.5 Pro cannot turn thinking off" : null);
  return levelOf(effort, version);
}

/** A Gemini 2.5 budget; `noStop` says why the model cannot take none (null when it can). */
function budgetOf(effort: string, noStop: string | null): ThinkingConfig {
  if (effort === "none" && noStop === null) return { thinkingBudget: 0 };
  // Own keys only: "constructor" or "__proto__" would find Object.prototype's members and go out as {}.
  const budget = Object.hasOwn(BUDGETS, effort) ? BUDGETS[effort] : undefined;
  if (budget !== undefined) return { thinkingBudget: budget };
  const taken = `This model takes reasoning_effort ${listed([...(noStop === null ? ["none"] : []), ...Object.keys(BUDGETS)])}.`;
  return refuse(effort === "none" ? `${noStop}. ${taken}` : taken);
}

/** The levels a Gemini 3 (or later) model takes. */
function levelsOf(version: GeminiVersion): string[] {
  const { major, minor, line } = version;
  if (major === 3 && minor === 0 && line.startsWith("pro")) return ["low", "high"];
  if (major === 3 && minor <= 1 && line.startsWith("flash")) return LEVELS;
  return ["low", "medium", "high"];
}

function levelOf(effort: string, version: GeminiVersion): ThinkingConfig {
  const levels = levelsOf(version);
  if (levels.includes(effort)) return { thinkingLevel: effort.toUpperCase() };
  const taken = `This model takes reasoning_effort ${listed(levels)}.`;
  return refuse(effort === "none" ? `Gemini 3 models cannot turn thinking off. ${taken}` : taken);
}
