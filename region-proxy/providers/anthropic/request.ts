/**
 * OpenAI chat request → Anthropic Messages request (https://docs.anthropic.com/en/api/messages).
 * The URL is `{baseUrl}/v1/messages` of the approved deployment; nothing in the client body can
 * change host or path.
 */
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { outputCapOf, type ChatRequest, type VendorHttpRequest } from "../types.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { refusesForcedToolUse, refusesSampling, takesTemperatureWithTopP, thinksAdaptivelyOnly } from "./claude-generation.ts";
import { defaultThinking } from "./default-thinking.ts";
import { forcedToolField, refuseForcedTool, type ForcedToolField } from "./forced-tool-field.ts";
import { historyTools } from "./history-tools.ts";
import { jsonOutputFormat } from "./json-output.ts";
import { refuseExtraMedia } from "./media-count.ts";
import { refusePlatformMediaUrls } from "./platform-media-url.ts";
import { type AnthropicMessage, convertMessages } from "./messages.ts";
import { refuseUnsupportedPrefill } from "./prefill.ts";
import { refuseUnsupported } from "./refuse-unsupported.ts";
import { anthropicServiceTier } from "./service-tier.ts";
import { maxTokensWithThinking, refuseThinkingConflicts, thinkingBudget, thinkingFields, thinkingRefusesForcedTool, unthinkingToolTurn } from "./thinking.ts";
import { convertTools, STRICT_TOOLS_FLAG } from "./tools.ts";

export const ANTHROPIC_VERSION = "2023-06-01";
/**
 * Anthropic requires max_tokens and OpenAI does not: when the client gives none we ask for the cap its
 * reservation counted (ChatRequest's outputCap) or, with no budget or TPM limit, for 4096, a length
 * every current Claude model allows and enough for a typical chat answer.
 */
export const DEFAULT_MAX_TOKENS = 4096;

/**
 * The most characters Anthropic takes in metadata.user_id ("maxLength 512", Messages API reference,
 * https://platform.claude.com/docs/en/api/messages), counted as code points as its validation counts them.
 */
export const MAX_USER_ID = 512;

/**
 * The end-user id for Anthropic's metadata.user_id: OpenAI's safety_identifier, which OpenAI documents
 * as replacing `user`, else `user`; an empty string names no one. One longer than Anthropic takes is
 * refused, naming the client's field: Anthropic's 400 would name metadata.user_id, after the call.
 */
function endUserId(raw: Record<string, unknown>): string | undefined {
  for (const field of ["safety_identifier", "user"] as const) {
    const id = raw[field];
    if (typeof id !== "string" || id === "") continue;
    if ([...id].length > MAX_USER_ID) throw new UnsupportedParameterError(field, `This provider takes an end-user id of at most ${MAX_USER_ID} characters.`);
    return id;
  }
  return undefined;
}

/**
 * temperature and top_p as `model` takes them. top_p 1 keeps every token, which is what no top_p
 * does: OpenAI's default, which many clients send beside a temperature, so it is not sent. Claude
 * Opus 4.1, Sonnet 4.5, Haiku 4.5 and later refuse the two together (claude-generation.ts): there a
 * temperature of 1, Anthropic's default, beside a top_p is not sent either, and a real pair is
 * refused before the call, naming top_p, so a chain skips this deployment for one that takes both.
 * Claude Opus 4.7 and later refuse any but the default (claude-generation.ts refusesSampling): there
 * temperature 1 and top_p 1 are left out and another value is refused before the call, naming it, where
 * Anthropic's own 400 would fail the chain. top_k is refused on Anthropic anyway (refuse-unsupported.ts).
 */
function sampling(req: ChatRequest, model: string): { temperature?: number; top_p?: number } {
  if (refusesSampling(model)) {
    for (const [field, value] of [["temperature", req.temperature], ["top_p", req.top_p]] as const) {
      if (value !== undefined && value !== 1) throw new UnsupportedParameterError(field, `This model (Claude Opus 4.7 and later) takes no ${field} but the default, 1; leave ${field} out, or use another model.`);
    }
    return {};
  }
  const sent: { temperature?: number; top_p?: number } = {};
  if (req.temperature !== undefined) sent.temperature = req.temperature;
  if (req.top_p !== undefined && req.top_p !== 1) sent.top_p = req.top_p;
  if (sent.temperature === undefined || sent.top_p === undefined || takesTemperatureWithTopP(model)) return sent;
  if (sent.temperature !== 1) throw new UnsupportedParameterError("top_p", "This model takes temperature or top_p, not both (Claude Opus 4.1, Sonnet 4.5, Haiku 4.5 and later); send only one.");
  return { top_p: sent.top_p };
}

/**
 * Refuses before the call a forced tool_choice (the client's `required` or named function, or the
 * forced tool a JSON response_format is sent as: tools.ts) on a model that refuses forced tool use with
 * or without thinking (claude-generation.ts refusesForcedToolUse): Anthropic's own 400 would fail the
 * fallback chain, this one, naming the client's field, lets it skip the deployment. `forced` is the
 * built body's forcedToolField. A JSON response_format reaches it only on a Bedrock or Vertex id, which
 * is sent no JSON outputs (claude-generation.ts takesJsonOutputs); elsewhere such a model gets them (json-output.ts).
 */
function refuseForcedToolUse(forced: ForcedToolField | null, model: string): void {
  if (forced === null || !refusesForcedToolUse(model)) return;
  refuseForcedTool(forced, {
    tool_choice: "This model (Claude 5.1 and later) cannot be forced to call a tool; send tool_choice 'auto' and say in the prompt which tool to call, or use another model.",
    response_format: "This model (Claude 5.1 and later) cannot give a JSON response_format here: on this platform (a Bedrock or Vertex id, sent no JSON outputs) its JSON answer is a forced tool call, which it refuses; ask for JSON in the prompt, or use another model.",
  });
}

/**
 * Whether the model, or the thinking beside it (`budget`, null for none; `adaptive`: the model thinks
 * only adaptively), refuses forced tool use, so a JSON response_format cannot go as the forced JSON tool.
 */
function forcedToolRefused(model: string, budget: number | null, adaptive: boolean): boolean {
  return refusesForcedToolUse(model) || (budget !== null && thinkingRefusesForcedTool(model, adaptive));
}

/**
 * The thinking budget this request is sent with (null: none) and whether the model thinks only
 * adaptively: the budget reasoning_effort asks for (thinking.ts), dropped when the last tool loop began
 * without thinking (unthinkingToolTurn: Anthropic refuses such a turn beside a budget; adaptive
 * thinking takes it). `thinkingTurns` gives the turns converted with thinking, read only then.
 */
function sentThinking(req: ChatRequest, model: string, thinkingTurns: () => readonly AnthropicMessage[]): { budget: number | null; adaptive: boolean } {
  const budget = thinkingBudget(req.raw.reasoning_effort, model);
  const adaptive = thinksAdaptivelyOnly(model);
  return { budget: budget !== null && !adaptive && unthinkingToolTurn(thinkingTurns()) ? null : budget, adaptive };
}

/** The JSON body Anthropic expects for this chat request; `flags` are the deployment's (strict tools: tools.ts). */
export function toAnthropicBody(req: ChatRequest, model: string, flags: readonly string[] = []): Record<string, unknown> {
  refuseUnsupported(req.raw);
  if (req.temperature !== undefined && (req.temperature < 0 || req.temperature > 1)) {
    // OpenAI allows 0..2, Anthropic 0..1; rescaling would change meaning, clamping would hide it.
    throw new UnsupportedParameterError("temperature", "This provider accepts temperature between 0 and 1.");
  }
  // reasoning_effort → extended thinking (thinking.ts), not asked for a history Anthropic would refuse it
  // with: then the echoed thinking blocks are left out too, as without thinking.
  let withThinking: ReturnType<typeof convertMessages> | undefined;
  const thinkingConversion = () => (withThinking ??= convertMessages(req.messages, true));
  const { budget, adaptive } = sentThinking(req, model, () => thinkingConversion().messages);
  // A Claude 5 model thinks without being asked (default-thinking.ts): shown, and its blocks echoed back.
  // A budget dropped above gives none either: defaultThinking has none for a reasoning_effort other than 'none'.
  const byDefault = budget === null ? defaultThinking(req.raw.reasoning_effort, model) : null;
  const { system, messages } = budget !== null || byDefault?.thinks === true ? thinkingConversion() : convertMessages(req.messages, false);
  refuseUnsupportedPrefill(messages, req.messages, model);
  refuseExtraMedia(messages, model);
  refusePlatformMediaUrls(req.messages, model);
  const body: Record<string, unknown> = {
    model,
    max_tokens: budget === null ? (outputCapOf(req)?.send ?? DEFAULT_MAX_TOKENS) : adaptive ? (outputCapOf(req)?.send ?? budget + DEFAULT_MAX_TOKENS) : maxTokensWithThinking(req, budget, DEFAULT_MAX_TOKENS),
    messages,
  };
  if (system.length > 0) body.system = system;
  Object.assign(body, sampling(req, model));
  if (req.stop !== undefined && req.stop !== null) {
    const stops = (typeof req.stop === "string" ? [req.stop] : req.stop).filter((s) => s !== "");
    // Anthropic answers 400 "each stop sequence must contain non-whitespace"; dropping one would change the answer.
    if (stops.some((s) => s.trim() === "")) throw new UnsupportedParameterError("stop", "This provider does not accept whitespace-only stop sequences.");
    if (stops.length > 0) body.stop_sequences = stops;
  }
  // A JSON response_format goes as the forced JSON tool (tools.ts) unless the model, or the thinking
  // beside it, refuses forced tool use: then as Anthropic's JSON outputs where the model takes them.
  const jsonFormat = jsonOutputFormat(req.response_format, model, forcedToolRefused(model, budget, adaptive));
  Object.assign(body, convertTools(req.tools, req.tool_choice, jsonFormat ? undefined : req.response_format, req.raw.parallel_tool_calls, flags.includes(STRICT_TOOLS_FLAG)));
  // Anthropic refuses tool_use/tool_result blocks without tools, which OpenAI answers: declare the
  // called tools and forbid calls (history-tools.ts). Read only when the client sent no tools.
  if (body.tools === undefined) Object.assign(body, historyTools(messages));
  const endUser = endUserId(req.raw);
  if (endUser) body.metadata = { user_id: endUser };
  const tier = anthropicServiceTier(req.raw.service_tier);
  if (tier) body.service_tier = tier;
  const forced = forcedToolField(req, body);
  refuseForcedToolUse(forced, model);
  if (budget !== null) {
    refuseThinkingConflicts(req, body as Parameters<typeof refuseThinkingConflicts>[1], forced, model, adaptive);
    Object.assign(body, thinkingFields(req.raw.reasoning_effort as string, budget, adaptive));
  } else if (byDefault) {
    // What Anthropic refuses beside thinking was refused above by the model's own rules (prefill,
    // sampling, forced tool use), which cover every model that thinks by default: default-thinking-conflicts.test.ts.
    Object.assign(body, byDefault.fields);
  }
  // Beside the effort adaptive thinking sends there (thinking.ts): both are output_config's.
  if (jsonFormat) body.output_config = { ...(body.output_config as Record<string, unknown> | undefined), format: jsonFormat };
  if (req.stream) body.stream = true;
  return body;
}

/** The HTTP request for one attempt against `target`. */
export function buildAnthropicRequest(req: ChatRequest, target: SnapshotDeployment, credential: string): VendorHttpRequest {
  const body = toAnthropicBody(req, target.model, target.flags);
  return {
    url: `${target.baseUrl.replace(/\/+$/, "")}/v1/messages`,
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: req.stream ? "text/event-stream" : "application/json",
      "x-api-key": credential,
      "anthropic-version": ANTHROPIC_VERSION,
    },
    body: JSON.stringify(body),
    // A JSON response_format sent as JSON outputs (json-output.ts) is answered as text, not the JSON tool.
    jsonAsText: (body.output_config as { format?: unknown } | undefined)?.format !== undefined,
  };
}
