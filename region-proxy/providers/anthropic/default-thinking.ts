/**
 * The thinking fields for a request that asks for no thinking of its own (no reasoning_effort, or
 * `none`) to a model that thinks by default (claude-generation.ts thinksByDefault, the Claude 5
 * models): omitting `thinking` there is thinking at the model's default effort with display "omitted",
 * billed, while reasoning_content stays empty and a stream cut during it is charged none of it.
 * - No reasoning_effort: `thinking: {type: "adaptive", display: "summarized"}`, no effort (the model's
 *   own default, as when omitted), so the thinking the client pays for is shown, as with an effort
 *   (thinking.ts thinkingFields), and the thinking blocks a tool loop echoes go back to Anthropic.
 * - `none`: `thinking: {type: "disabled"}` where the model takes it (claude-generation.ts
 *   stopsThinking), else a 400 naming reasoning_effort before the call: `none` asks to pay for no
 *   thinking, which that model cannot give.
 * Null for any other request (reasoning_effort set to an effort: thinking.ts), and on a model that
 * does not think by default.
 *
 * @example defaultThinking(undefined, "claude-opus-5") // { fields: { thinking: { type: "adaptive", display: "summarized" } }, thinks: true }
 * @example defaultThinking("none", "claude-opus-5") // { fields: { thinking: { type: "disabled" } }, thinks: false }
 * @example defaultThinking("none", "claude-opus-5-5") // throws UnsupportedParameterError("reasoning_effort", ...)
 */
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { stopsThinking, thinksByDefault } from "./claude-generation.ts";

export function defaultThinking(effort: unknown, model: string): { fields: Record<string, unknown>; thinks: boolean } | null {
  if (!thinksByDefault(model)) return null;
  if (effort === undefined || effort === null) return { fields: { thinking: { type: "adaptive", display: "summarized" } }, thinks: true };
  if (effort !== "none") return null;
  if (stopsThinking(model)) return { fields: { thinking: { type: "disabled" } }, thinks: false };
  throw new UnsupportedParameterError(
    "reasoning_effort",
    "This model always thinks and cannot stop thinking: reasoning_effort 'none' cannot be given here. Send 'low' for the least thinking, or use a model that can stop (Claude Opus 5, Haiku 5.5, or one before Claude 5).",
  );
}
