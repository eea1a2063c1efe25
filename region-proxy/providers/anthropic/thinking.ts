/**
 * OpenAI's `reasoning_effort` → Anthropic's extended thinking, `thinking: {type: "enabled",
 * budget_tokens}` (https://platform.claude.com/docs/en/build-with-claude/extended-thinking), with the
 * budgets LiteLLM maps the efforts to (its anthropic chat transformation, _map_reasoning_effort, and
 * litellm/constants.py): low 1,024 tokens (Anthropic's minimum), medium 2,048, high 4,096. `none` asks
 * for no thinking and is sent as none before Claude 5; the Claude 5 models think unless stopped, and
 * there `none`, and a request with no reasoning_effort, are default-thinking.ts's. `minimal` (GPT-5's, "few or no reasoning
 * tokens") is a 400: Claude cannot think less than 1,024 tokens, what `low` asks, and the gateway does
 * not spend more than the client asked for; `xhigh` (except where adaptive, below) and any other value
 * likewise, never a substitute.
 * Claude 3.5 and before do not think: any other value there is a 400 naming reasoning_effort before the
 * call, as today, so a chain skips the deployment for one that can.
 *
 * Claude Opus 4.7 and later refuse a budget and think only adaptively (claude-generation.ts
 * thinksAdaptivelyOnly): there the effort is sent as it is, `thinking: {type: "adaptive"}` with
 * `output_config: {effort}` (low, medium, high, and xhigh where Anthropic's effort docs list it: Opus
 * 4.7, 4.8 and the Claude 5 models, not Mythos Preview: claude-generation.ts takesXhighEffort), as LiteLLM routes them;
 * `max` is not an OpenAI effort and stays refused. max_tokens, still the hard cap
 * of thinking and answer together, is the client's or the gateway's cap as sent, else the budget the
 * effort would have plus DEFAULT_MAX_TOKENS, as for a budget. Adaptive thinking may skip thinking on a
 * turn, so a tool-calling turn without thinking blocks does not hold it back (unthinkingToolTurn is for
 * budgets only).
 *
 * Thinking tokens are output tokens and count toward max_tokens, which must exceed the budget
 * (Anthropic: "budget_tokens … Must be ≥1024 and less than max_tokens"), as an OpenAI reasoning model's
 * reasoning counts toward max_completion_tokens. max_tokens is never raised above the cap the client
 * named, nor above the one the gateway reserved for (ChatRequest's outputCap): both are what the request
 * may cost. So a cap at or below the budget is a 400 naming the client's field (max_completion_tokens
 * when it sent that, else max_tokens; max_completion_tokens when the cap was the gateway's). With no cap
 * at all (no budget or TPM limit, so none reserved) max_tokens is the budget plus DEFAULT_MAX_TOKENS,
 * the answer's room as without thinking.
 *
 * With thinking on, Anthropic refuses what its extended-thinking guide lists as incompatible ("Feature
 * compatibility": temperature other than 1, top_k, top_p outside 0.95-1, forced tool use with a budget
 * (adaptive thinking takes it, but on Claude 5.1 and later other than Haiku), a prefill):
 * each is a 400 naming the client's field here, before the call (refuseThinkingConflicts), where
 * Anthropic's own 400 would fail the chain. top_k is refused on Anthropic anyway (refuse-unsupported.ts).
 *
 * @example thinkingBudget("medium", "claude-sonnet-4-5") // 2048
 * @example thinkingBudget("none", "claude-3-5-haiku-latest") // null
 * @example thinkingBudget("low", "claude-3-5-haiku-latest") // throws UnsupportedParameterError("reasoning_effort", ...)
 */
import { outputCapOf, type ChatRequest } from "../types.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { takesForcedToolWithAdaptiveThinking, takesJsonOutputs, takesThinking, takesXhighEffort } from "./claude-generation.ts";
import { refuseForcedTool, type ForcedToolField } from "./forced-tool-field.ts";
import type { AnthropicMessage } from "./messages.ts";

const THINKING_BUDGETS: Readonly<Record<string, number>> = { low: 1024, medium: 2048, high: 4096 };

/**
 * xhigh has no budget (it is sent only as an adaptive effort); with no cap, max_tokens gets this room
 * for its thinking, the budgets' doubling carried on, plus DEFAULT_MAX_TOKENS for the answer.
 */
const XHIGH_THINKING_ROOM = 8192;

const TAKEN = "This provider takes reasoning_effort 'none', 'low', 'medium' or 'high' ('xhigh' too on Claude Opus 4.7, Opus 4.8 and the Claude 5 models, not on Claude Mythos Preview or a Haiku).";

const refuse = (param: string, why: string): never => {
  throw new UnsupportedParameterError(param, why);
};

/** The thinking budget the client's reasoning_effort asks of `model`; null when it asks for no thinking. */
export function thinkingBudget(effort: unknown, model: string): number | null {
  if (effort === undefined || effort === null) return null;
  if (typeof effort !== "string") return refuse("reasoning_effort", "reasoning_effort must be a string.");
  if (effort === "none") return null;
  if (!takesThinking(model)) return refuse("reasoning_effort", "This model does not think; reasoning_effort other than 'none' is for Claude 3.7 Sonnet, the Claude 4 models and later.");
  // Own keys only: "constructor" must not find Object.prototype's members.
  if (Object.hasOwn(THINKING_BUDGETS, effort)) return THINKING_BUDGETS[effort]!;
  if (effort === "xhigh" && takesXhighEffort(model)) return XHIGH_THINKING_ROOM;
  if (effort === "minimal") return refuse("reasoning_effort", `Claude cannot think less than 'low' asks for (a 1024-token budget, its minimum, or effort 'low'). ${TAKEN}`);
  return refuse("reasoning_effort", TAKEN);
}

/**
 * The max_tokens to send with a thinking budget: the cap the client named or the gateway reserved, when
 * it exceeds the budget; `budget + fallback` when there is none. A cap that leaves no room is refused.
 */
export function maxTokensWithThinking(req: ChatRequest, budget: number, fallback: number): number {
  const cap = outputCapOf(req);
  if (cap === null) return budget + fallback;
  if (cap.send > budget) return cap.send;
  const effort = String(req.raw.reasoning_effort);
  if (!cap.fromClient) {
    return refuse(
      "max_completion_tokens",
      `reasoning_effort '${effort}' gives Claude a thinking budget of ${budget} tokens, which count toward its output cap, and this key's limits hold an answer to ${cap.send} output tokens when the request names none; send max_completion_tokens above ${budget}, or a lower reasoning_effort.`,
    );
  }
  const field = req.max_completion_tokens !== undefined ? "max_completion_tokens" : "max_tokens";
  return refuse(field, `reasoning_effort '${effort}' gives Claude a thinking budget of ${budget} tokens, which count toward ${field}: it must be above ${budget} (room for the answer too), or use a lower reasoning_effort.`);
}

/**
 * The request fields that ask `model` for this thinking: a budget, or on a model that thinks only
 * adaptively the effort itself (`effort` is one of THINKING_BUDGETS' keys, or xhigh there: thinkingBudget
 * checked it).
 * Those models (Opus 4.7 and later) default to `display: "omitted"`, thinking blocks with an empty
 * `thinking` and only a signature (Opus 4.6 and before default to "summarized": anthropics/claude-code#49268,
 * BerriAI/litellm#25965); the client is promised the thinking as reasoning_content, and a stream cut
 * during it is charged the thinking it showed, so "summarized" is asked for there. Anthropic bills the
 * full thinking either way.
 */
export function thinkingFields(effort: string, budget: number, adaptive: boolean): Record<string, unknown> {
  return adaptive ? { thinking: { type: "adaptive", display: "summarized" }, output_config: { effort } } : { thinking: { type: "enabled", budget_tokens: budget } };
}

/**
 * What the refusal of a JSON response_format beside a budget adds where the model takes JSON outputs
 * (claude-generation.ts takesJsonOutputs; Claude 4.5 and 4.6 here): a json_schema they can carry goes
 * beside the budget as them (json-output.ts), so only json_object or a schema they cannot express gets here.
 */
const CLOSED_SCHEMA_BESIDE_BUDGET = (model: string): string =>
  takesJsonOutputs(model) ? ", or send response_format json_schema with a schema JSON outputs can express (every object closed with additionalProperties false, no recursion): beside reasoning_effort this model takes that, as Anthropic's JSON outputs" : "";

/** The top_p Anthropic takes beside thinking: 0.95 to 1 ("Feature compatibility"). */
const MIN_TOP_P_WITH_THINKING = 0.95;

/**
 * Whether the thinking a request is sent with refuses a forced tool: a budget does; adaptive thinking
 * takes one (and skips thinking for that answer), but on the Claude 5.1 and later models other than
 * Haiku, which refuse forced tool use (claude-generation.ts takesForcedToolWithAdaptiveThinking).
 */
export function thinkingRefusesForcedTool(model: string, adaptive: boolean): boolean {
  return !(adaptive && takesForcedToolWithAdaptiveThinking(model));
}

/**
 * Refuses, naming the client's field, what Anthropic refuses beside thinking. `body` is the request as
 * built: it ends on an assistant turn for a prefill. `forced` is its forcedToolField: its tool_choice is
 * forced (`any`, `tool`) by the client's tool_choice or by a JSON response_format (tools.ts forces its
 * JSON tool). A forced tool_choice is refused as thinkingRefusesForcedTool says.
 */
export function refuseThinkingConflicts(req: ChatRequest, body: { messages: { role: string }[] }, forced: ForcedToolField | null, model: string, adaptive: boolean): void {
  if (req.temperature !== undefined && req.temperature !== 1) {
    refuse("temperature", "With reasoning_effort, Claude thinks, and then takes temperature 1 only; leave temperature out (or send 1).");
  }
  if (req.top_p !== undefined && req.top_p < MIN_TOP_P_WITH_THINKING) {
    refuse("top_p", "With reasoning_effort, Claude thinks, and then takes top_p between 0.95 and 1 only; leave top_p out or send one in that range.");
  }
  if (forced !== null && thinkingRefusesForcedTool(model, adaptive)) {
    refuseForcedTool(forced, {
      tool_choice: "With reasoning_effort, Claude thinks, and then cannot be forced to call a tool; send tool_choice 'auto' or 'none', or no reasoning_effort.",
      response_format: `With reasoning_effort, Claude thinks, and then cannot give a JSON response_format here: its JSON answer is a forced tool call, which thinking does not allow. Drop one of the two${CLOSED_SCHEMA_BESIDE_BUDGET(model)}.`,
    });
  }
  if (body.messages.at(-1)?.role === "assistant") {
    const last = req.messages.map((m) => m.role).lastIndexOf("assistant");
    refuse(`messages[${last}]`, "With reasoning_effort, Claude thinks, and then does not continue a conversation ending on an assistant message (a prefill); end it with a user message, or send no reasoning_effort.");
  }
}

/**
 * Whether Anthropic would refuse thinking for this history: with thinking on, "a final `assistant`
 * message must start with a thinking block (preceeding the lastmost set of `tool_use` and
 * `tool_result` blocks)" (its 400 "Expected `thinking` or `redacted_thinking`, but found `tool_use`").
 * A tool loop is one assistant turn ("a tool-use loop is one assistant turn, so change the
 * configuration only between turns", Anthropic's "Thinking in tool and multi-turn workflows"): the
 * assistant messages since the last user message that is not only tool results. It is the turn's first
 * assistant message that must start with thinking; a later step may have none (the extended-thinking
 * guide's tool use without interleaved thinking: the second response is a bare tool_use, and the loop
 * goes on with thinking). A turn whose first step was made without thinking, or echoed back without its
 * thinking_blocks, is then sent without thinking, as LiteLLM drops `thinking` when the last assistant
 * message with tool calls has no thinking blocks (litellm/utils.py
 * last_assistant_with_tool_calls_has_no_thinking_blocks, BerriAI/litellm#14194, #9020), rather than
 * let Anthropic answer 400: the turn stays in the one configuration it began in.
 */
export function unthinkingToolTurn(turns: readonly AnthropicMessage[]): boolean {
  const onlyToolResults = (turn: AnthropicMessage) => turn.content.length > 0 && turn.content.every((block) => block.type === "tool_result");
  const start = turns.map((turn) => turn.role === "user" && !onlyToolResults(turn)).lastIndexOf(true) + 1;
  const turn = turns.slice(start).filter((message) => message.role === "assistant");
  if (!turn.some((message) => message.content.some((block) => block.type === "tool_use"))) return false;
  const first = turn[0]!.content[0]?.type;
  return first !== "thinking" && first !== "redacted_thinking";
}
