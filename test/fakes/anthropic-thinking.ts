/**
 * Extended thinking as the fake Anthropic takes it (https://platform.claude.com/docs/en/build-with-claude/extended-thinking):
 * `thinking: {type: "enabled", budget_tokens}` with a budget of at least 1024 and below max_tokens
 * (the SDKs' ThinkingConfigEnabledParam: "Must be ≥1024 and less than `max_tokens`"), and the 400s
 * Anthropic gives beside it, in its words where they were seen in issue reports:
 * - temperature other than 1: "`temperature` may only be set to 1 when thinking is enabled. …"
 *   (MartialBE/one-hub#529, egoist/chatwise-releases#1348);
 * - top_k: "`top_k` must be unset when thinking is enabled. …" (quarkiverse/quarkus-langchain4j#1812);
 * - a forced tool_choice beside a budget: "Thinking may not be enabled when tool_choice forces tool use."
 *   (mastra-ai/mastra#7507, can1357/oh-my-pi#341); adaptive thinking takes it ("adaptive thinking
 *   supports forced tool use", Thinking in tool and multi-turn workflows) but on Claude 5.1 and later,
 *   Haiku aside, which refuse forced tool use whatever the thinking (anthropic-model-limits.ts);
 * - a tool loop (one assistant turn: the assistant messages since the last user message that is not only
 *   tool results) whose first assistant message does not start with a thinking block, or a final
 *   assistant message not starting with one when it is the last message (a prefill, which the guide
 *   says thinking does not take): "messages.N.content.0.type:
 *   Expected `thinking` or `redacted_thinking`, but found `…`. When `thinking` is enabled, a final
 *   `assistant` message must start with a thinking block …" (anomalyco/opencode#3077, Kilo-Org/kilocode#5219);
 * - with thinking off, a final assistant message holding thinking: "messages.N.content.0: When thinking is
 *   disabled, an `assistant` message in the final position cannot contain `thinking`. …"
 *   (tailcallhq/forgecode#1853).
 * top_p below 0.95 ("Feature compatibility": 0.95 to 1 only) and a budget not below max_tokens are
 * refused in words of the fake's own. A thinking block sent back must carry the signature the fake gave
 * it (fakeSignature), as Anthropic checks its own, and a redacted_thinking block the data it gave.
 *
 * @example thinkingProblem({ model: "m", max_tokens: 2000, thinking: { type: "enabled", budget_tokens: 1024 }, temperature: 0.2, messages: [] }) // "`temperature` may only be set to 1 when thinking is enabled. …"
 */
import { generation, refusesForcedToolUse } from "./anthropic-model-limits.ts";

const DOCS = "Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#important-considerations-when-using-extended-thinking";

/** The signature the fake gives a thinking text: what a thinking block sent back must carry. */
export const fakeSignature = (thinking: string): string => `fakesig_${Bun.hash(thinking).toString(36)}`;

/** The data of the fake's redacted_thinking block (Anthropic's is encrypted thinking). */
export const REDACTED_DATA = "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPfake";

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const EFFORTS = ["low", "medium", "high", "max"];
/**
 * xhigh is listed for Opus 4.7, 4.8 and the Claude 5 models, not for Claude Mythos Preview nor a Haiku
 * (https://platform.claude.com/docs/en/build-with-claude/effort): current-form ids from 4.7, Haiku aside.
 */
const takesXhigh = (model: unknown, g: number | null) => g !== null && g >= 47 && !/haiku/i.test(String(model));

/**
 * The thinking asked for: its budget (null when thinking is off; 0 for adaptive thinking, which has
 * none), or the message of the 400 refusing the field. Adaptive thinking (`{type: "adaptive"}` with
 * `output_config.effort`) is refused on ids naming a version before Claude 4.6, and a budget on Opus 4.7
 * and later, which think only adaptively (Amazon Bedrock's Claude adaptive thinking guide), in words of
 * the fake's own.
 */
export function readThinking(body: Record<string, unknown>): { budget: number | null; adaptive: boolean; shown: boolean } | string {
  const thinking = body.thinking;
  const g = typeof body.model === "string" ? generation(body.model) : null;
  if (body.output_config != null) {
    const effort = isObject(body.output_config) ? body.output_config.effort : undefined;
    const known = EFFORTS.includes(effort as string) || (effort === "xhigh" && takesXhigh(body.model, g));
    if (effort != null && !known) return "output_config.effort: Input should be 'low', 'medium', 'high' or 'max'";
  }
  if (thinking == null) return { budget: null, adaptive: false, shown: true };
  if (!isObject(thinking)) return "thinking: Input should be a valid dictionary";
  if (thinking.type === "disabled") {
    // Claude 5 models that cannot stop thinking (all but Opus 5 and the Haikus), in the words What's new in Claude Opus 5.5 quotes.
    const model = String(body.model);
    if (g !== null && g >= 50 && !/haiku/i.test(model) && !(g === 50 && /opus/i.test(model))) {
      return '"thinking.type.disabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.';
    }
    return { budget: null, adaptive: false, shown: true };
  }
  if (thinking.display != null && thinking.display !== "summarized" && thinking.display !== "omitted") return `thinking.${String(thinking.type)}.display: Input should be 'summarized' or 'omitted'`;
  // Opus 4.7 and later default to "omitted" (empty thinking, a signature only); earlier models to "summarized".
  const shown = thinking.display === undefined ? g === null || g < 47 : thinking.display === "summarized";
  if (thinking.type === "adaptive") return g !== null && g < 46 ? "thinking.type.adaptive is not supported for this model." : { budget: 0, adaptive: true, shown };
  if (thinking.type !== "enabled") return `thinking: Input tag '${String(thinking.type)}' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'`;
  if (g !== null && g >= 47) return "thinking.type.enabled is not supported for this model. Use thinking.type.adaptive and output_config.effort to control thinking behavior.";
  const budget = thinking.budget_tokens;
  if (budget == null) return "thinking.enabled.budget_tokens: Field required";
  if (typeof budget !== "number" || !Number.isInteger(budget)) return "thinking.enabled.budget_tokens: Input should be a valid integer";
  if (budget < 1024) return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
  if (typeof body.max_tokens === "number" && budget >= body.max_tokens) return "`max_tokens` must be greater than `thinking.budget_tokens`. " + DOCS;
  return { budget, adaptive: false, shown };
}

type Message = { role?: unknown; content?: unknown };

/** Why a thinking or redacted_thinking block at `at` is not one the fake gave, or null. */
function blockProblem(at: string, block: Record<string, unknown>): string | null {
  if (block.type === "thinking") {
    if (typeof block.thinking !== "string") return `${at}.thinking.thinking: Field required`;
    if (typeof block.signature !== "string") return `${at}.thinking.signature: Field required`;
    // An omitted block (display "omitted") comes back with empty thinking and the signature of the thinking it hid.
    const signed = block.thinking === "" ? block.signature.startsWith("fakesig_") : block.signature === fakeSignature(block.thinking);
    return signed ? null : `${at}: Invalid \`signature\` in \`thinking\` block`;
  }
  if (block.type === "redacted_thinking") {
    if (typeof block.data !== "string") return `${at}.redacted_thinking.data: Field required`;
    return block.data === REDACTED_DATA ? null : `${at}: Invalid \`data\` in \`redacted_thinking\` block`;
  }
  return null;
}

/**
 * The 400 for what thinking (on or off, `budget`) does not take in this request, or null. Adaptive
 * thinking may skip a turn's thinking, so it does not ask a final tool-calling turn to start with one.
 */
export function thinkingProblem(body: Record<string, unknown>, budget: number | null, adaptive = false): string | null {
  const messages = (Array.isArray(body.messages) ? body.messages : []) as Message[];
  for (const [i, m] of messages.entries()) {
    if (!Array.isArray(m.content)) continue;
    for (const [j, block] of (m.content as unknown[]).entries()) {
      if (!isObject(block)) continue;
      if ((block.type === "thinking" || block.type === "redacted_thinking") && m.role !== "assistant") return `messages.${i}.content.${j}: thinking blocks are only allowed in assistant messages`;
      const problem = blockProblem(`messages.${i}.content.${j}`, block);
      if (problem) return problem;
    }
  }
  const lastAssistant = messages.map((m) => m.role).lastIndexOf("assistant");
  const blocks = lastAssistant >= 0 && Array.isArray(messages[lastAssistant]!.content) ? (messages[lastAssistant]!.content as Record<string, unknown>[]) : [];
  if (budget === null) {
    const holds = blocks.some((b) => isObject(b) && (b.type === "thinking" || b.type === "redacted_thinking"));
    return holds
      ? `messages.${lastAssistant}.content.0: When thinking is disabled, an \`assistant\` message in the final position cannot contain \`thinking\`. To use thinking blocks, enable \`thinking\` in your request.`
      : null;
  }
  if (body.temperature != null && body.temperature !== 1) return "`temperature` may only be set to 1 when thinking is enabled. " + DOCS;
  if (body.top_k != null) return "`top_k` must be unset when thinking is enabled. " + DOCS;
  if (typeof body.top_p === "number" && body.top_p < 0.95) return "`top_p` must be greater than or equal to 0.95 or unset when thinking is enabled. " + DOCS;
  const choice = isObject(body.tool_choice) ? body.tool_choice.type : undefined;
  // Adaptive thinking takes forced tool use (and skips thinking), but on the models that refuse it outright.
  const takesForced = adaptive && !refusesForcedToolUse(body.model);
  if ((choice === "any" || choice === "tool") && !takesForced) return "Thinking may not be enabled when tool_choice forces tool use.";
  const isPrefill = lastAssistant >= 0 && lastAssistant === messages.length - 1;
  const turnStart = currentTurnStart(messages);
  const callsTool = messages.slice(turnStart).some((m) => m.role === "assistant" && Array.isArray(m.content) && m.content.some((b) => isObject(b) && b.type === "tool_use"));
  // A prefill is read where it is; a tool loop from its turn's first assistant message.
  const at = isPrefill ? lastAssistant : messages.findIndex((m, i) => i >= turnStart && m.role === "assistant");
  const content = messages[at]?.content;
  const atFirst = typeof content === "string" ? "text" : Array.isArray(content) && isObject(content[0]) ? content[0].type : undefined;
  if (((callsTool && !adaptive) || isPrefill) && atFirst !== "thinking" && atFirst !== "redacted_thinking") {
    return (
      `messages.${at}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(atFirst)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`
    );
  }
  return null;
}

/**
 * Where the current assistant turn begins: after the last user message that is not only tool results.
 * A tool loop is one assistant turn ("a tool-use loop is one assistant turn", Anthropic's "Thinking in
 * tool and multi-turn workflows"), so it is its first assistant message that must start with thinking.
 */
function currentTurnStart(messages: Message[]): number {
  const onlyToolResults = (m: Message) => Array.isArray(m.content) && m.content.length > 0 && m.content.every((b) => isObject(b) && b.type === "tool_result");
  return messages.map((m) => m.role === "user" && !onlyToolResults(m)).lastIndexOf(true) + 1;
}
