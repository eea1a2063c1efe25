/**
 * What a Claude model id says of its generation, and the request shapes that generation refuses.
 * Both forms of id are read: `claude-3-5-sonnet-latest` (version before the line) and
 * `claude-sonnet-4-5-20250929` (line before the version); a trailing date is no minor version
 * (`claude-opus-4-20250514` is 4.0), and a Bedrock or Vertex id (`anthropic.claude-…-v1:0`,
 * `claude-sonnet-4-5@20250929`) reads the same version, but for what a platform lacks that Anthropic's
 * own API has (isPlatformId: JSON outputs, image and PDF URLs). An id naming no version (`claude-sonnet-latest`, a
 * name this code predates) is taken for a newer model than it knows: the stricter rule applies.
 *
 * @example claudeVersion("claude-sonnet-4-5-20250929") // { major: 4, minor: 5 }
 * @example claudeVersion("claude-3-5-sonnet-latest") // { major: 3, minor: 5 }
 * @example takesPrefill("claude-opus-4-6") // false
 */
export interface ClaudeVersion {
  major: number;
  minor: number;
}

/**
 * Where a Claude id starts: `claude` at the start of the name or after a `.` (Bedrock's
 * `anthropic.claude-…`, cross-region `us.anthropic.claude-…`) or a `/` (`anthropic/claude-…`). VERSION
 * reads the version after it (case-insensitively); model-name.ts isClaudeId is whether a name has it.
 */
export const CLAUDE_ID_START = /(?:^|[./])claude/;

const VERSION = new RegExp(String.raw`${CLAUDE_ID_START.source}-(?:[a-z]+-)?(\d+)(?:[-.](\d{1,2})(?!\d))?(?!\d)`, "i");

export function claudeVersion(model: string): ClaudeVersion | null {
  const match = VERSION.exec(model);
  return match ? { major: Number(match[1]), minor: Number(match[2] ?? 0) } : null;
}

/** Whether `model` is older than version `major.minor`; an id naming no version is not. */
function olderThan(model: string, major: number, minor: number): boolean {
  const v = claudeVersion(model);
  return v !== null && (v.major < major || (v.major === major && v.minor < minor));
}

/** Whether `model`'s id names version `major.minor` or later; an id naming no version does not. */
const atLeast = (model: string, major: number, minor: number): boolean => claudeVersion(model) !== null && !olderThan(model, major, minor);

/**
 * Claude Haiku by an id naming its version: the Haiku 5.5 page's breaking changes name no forced-tool
 * refusal (only the Opus/Sonnet 5.5, Fable 5.1 and Mythos 5.1 pages do), and its prompting guide has
 * JSON output through one's own tools, so the 5.1 cut-off below leaves Haiku out.
 */
const isVersionedHaiku = (model: string): boolean => claudeVersion(model) !== null && /haiku/i.test(model);

/**
 * Claude Opus 4.1, Sonnet 4.5, Haiku 4.5 and later answer 400 "`temperature` and `top_p` cannot both
 * be specified for this model. Please use only one." (migration guide: "Use only temperature OR top_p,
 * not both", https://platform.claude.com/docs/en/about-claude/models/migrating-to-claude-4). Claude 4.0
 * and 3.x take both.
 */
export const takesTemperatureWithTopP = (model: string): boolean => olderThan(model, 4, 1);

/**
 * Whether `model` refuses a non-default temperature, top_p or top_k: Claude Opus 4.7 and later answer
 * 400 "`temperature` is deprecated for this model." (RooCodeInc/Roo-Code#12162, sipeed/picoclaw#2939 on
 * claude-opus-4-7; The-PR-Agent/pr-agent#2456 on Opus 4.8 and Fable 5; GitHub community #209995 on
 * Opus and Sonnet 5.5), and the Claude 5 models with them (yoagent v0.27.3: "Opus 4.7, 4.8, 5 and 5.5;
 * Sonnet 5 and 5.5; Haiku 5.5; Fable"; MemberJunction's list of "always-reject" models: Fable and
 * Mythos 5.1 and 5, Mythos Preview, Opus 5.5, 5, 4.8, 4.7, Sonnet 5.5, 5, Haiku 5.5). So an id naming
 * version 4.7 or later, Haiku included; an id naming none (Mythos Preview among them) is sent as before.
 */
export const refusesSampling = (model: string): boolean => atLeast(model, 4, 7);

/**
 * Claude Opus 4.6, Sonnet 4.6 and later answer a conversation ending on an assistant turn with 400
 * "This model does not support assistant message prefill. The conversation must end with a user
 * message." (migration guide: "Prefilling assistant messages returns a 400 error on Claude 4.6
 * models", https://platform.claude.com/docs/en/about-claude/models/migration-guide).
 */
export const takesPrefill = (model: string): boolean => olderThan(model, 4, 6);

/**
 * Whether `model` has a 1M-token context window: Claude Opus and Sonnet 4.6 and later, the same
 * generation as takesPrefill's cut-off; an id naming no version is taken for a newer model, which has.
 */
export const hasMillionTokenContext = (model: string): boolean => !olderThan(model, 4, 6);

/**
 * Claude 3.7 Sonnet, the Claude 4 models and later think when asked (extended thinking: "supported in
 * … claude-sonnet-4-5, claude-sonnet-4, claude-3-7-sonnet, claude-haiku-4-5, claude-opus-4-5, 4-1, 4",
 * https://platform.claude.com/docs/en/build-with-claude/extended-thinking); Claude 3.5 and before do
 * not. An id naming no version is taken for a newer model, which does.
 */
export const takesThinking = (model: string): boolean => !olderThan(model, 3, 7);

/**
 * Claude Opus 4.7 and later think only adaptively: `thinking: {type: "adaptive"}` with
 * `output_config.effort`; "Manual extended thinking (thinking.type: "enabled" with budget_tokens) … is
 * not supported on these models and will return a 400 error" (Amazon Bedrock's Claude adaptive thinking
 * guide, which lists Opus 4.7, Mythos Preview and the Claude 5 models; Opus and Sonnet 4.6 take both,
 * budget_tokens deprecated there). Claude 4.5 and before take no adaptive thinking. An id naming no
 * version is taken for a newer model: adaptive.
 */
export const thinksAdaptivelyOnly = (model: string): boolean => !olderThan(model, 4, 7);

/**
 * Whether `model` takes a forced tool_choice (`any`, `tool`) beside adaptive thinking: "adaptive
 * thinking supports forced tool use" (Anthropic, Thinking in tool and multi-turn workflows; thinking is
 * then skipped), but not the models that refuse forced tool use altogether (refusesForcedToolUse: Claude
 * Fable 5.1, Mythos 5.1, Opus 5.5 and Sonnet 5.5, Haiku aside). An id naming no version is taken for a
 * newer model, which does not.
 */
export const takesForcedToolWithAdaptiveThinking = (model: string): boolean => claudeVersion(model) !== null && !refusesForcedToolUse(model);

/**
 * Whether `model` refuses forced tool use (tool_choice `any` or `tool`) whatever its thinking: Claude
 * Opus 5.5 and Sonnet 5.5 ("Forced tool use returns an error", What's new in Claude Opus 5.5 and What's
 * new in Claude Sonnet 5.5), Fable 5.1 and Mythos 5.1 ("The first three also apply on Claude Fable
 * 5.1"), and there thinking cannot be turned off to make room for it. So Claude 5.1 and later by the
 * version its id names, Haiku aside (isVersionedHaiku); an id naming none is refused forced tool use only beside thinking
 * (takesForcedToolWithAdaptiveThinking), as before this rule.
 */
export const refusesForcedToolUse = (model: string): boolean => atLeast(model, 5, 1) && !isVersionedHaiku(model);

/**
 * A Bedrock (`anthropic.claude-…`, cross-region `us.anthropic.claude-…`) or Vertex AI (`claude-…@20250929`)
 * form of Claude id: the model served through a cloud platform (through an Anthropic-format relay),
 * which may lack what Anthropic's own API has: JSON outputs (takesJsonOutputs) and image and PDF URLs
 * (platform-media-url.ts). Vertex is told only by a dated id, the 4.5 generation and before
 * (`claude-haiku-4-5@20251001`): from 4.6 on its ids are Anthropic's own ("On Google Cloud Vertex AI,
 * the format matches the Claude API", Anthropic's model ids; its Vertex page lists `claude-opus-4-6`,
 * `claude-sonnet-4-6`), so such an id reads as Anthropic's and is sent what Anthropic takes.
 */
export const isPlatformId = (model: string): boolean => /(?:^|[./])anthropic\.claude|claude[^@/]*@/i.test(model);

/**
 * Whether `model` takes Anthropic's JSON outputs (`output_config.format`): "generally available on the
 * Claude API and Amazon Bedrock for Claude Opus 4.6, Claude Sonnet 4.6, Claude Sonnet 4.5, Claude Opus
 * 4.5, and Claude Haiku 4.5" (Anthropic's structured outputs page), Opus 4.7 too on Vertex AI, and the
 * later models with them (the SDKs' output_config.format carries no model list). So an id naming
 * version 4.5 or later, Haiku included; Opus 4.1 had it only in the beta. An id naming no version is not
 * taken for one that does: a wrong guess is Anthropic's 400, which fails the chain. Nor a Bedrock or
 * Vertex form of id (isPlatformId): Bedrock has answered "output_config.format: Extra inputs are not
 * permitted" for Claude Haiku 4.5 and Sonnet 5 (vectorize-io/hindsight#3300, presenton/presenton#939,
 * vercel/ai#14773; AWS's "Structured outputs for Anthropic Claude models",
 * docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-structured-outputs: "Support varies by
 * model and endpoint"), and Vertex has them off by default by organization policy
 * (constraints/vertexai.allowedPartnerModelFeatures); there the forced JSON tool, or the 400 naming
 * response_format before the call (a chain skips the deployment), stays. The cost: a json_schema to a
 * Bedrock id of a model refusing forced tool use (Claude 5.1 and later, Haiku aside) is always that 400,
 * even where Bedrock would take JSON outputs: the safe default while support varies. A Vertex id of
 * Claude 4.6 and later cannot be told from Anthropic's own (isPlatformId) and gets output_config.format:
 * where the organization keeps them off, Vertex's 400 ends the walk.
 */
export const takesJsonOutputs = (model: string): boolean => atLeast(model, 4, 5) && !isPlatformId(model);

/**
 * Whether `model` takes effort `xhigh`: "Available on Claude Fable 5, Claude Mythos 5, Claude Opus 5,
 * Claude Opus 4.8, Claude Opus 4.7, and Claude Sonnet 5" (Anthropic's effort page,
 * https://platform.claude.com/docs/en/build-with-claude/effort), so an id naming version 4.7 or later,
 * later versions of those lines included; no Haiku is listed. Claude Mythos Preview, whose id names no
 * version, takes `max` but not `xhigh`; an id naming no version is not taken for one that does, since a
 * wrong guess is Anthropic's 400, which fails the chain, where this one lets it skip the deployment.
 */
export const takesXhighEffort = (model: string): boolean => atLeast(model, 4, 7) && !isVersionedHaiku(model);

/**
 * Whether `model` thinks when the request asks for no thinking: the Claude 5 models do ("omit thinking
 * and it won't think" no longer applies, Anthropic's thinking guide as rewritten for 5.x; What's new in
 * Claude Opus 5: thinking on by default; Fable 5, Mythos 5, Opus 5.5 and Fable 5.1 always think), with
 * display "omitted" by default. By the version the id names: an id naming none is not taken for one.
 */
export const thinksByDefault = (model: string): boolean => atLeast(model, 5, 0);

/**
 * Whether `model`, thinking by default, takes `thinking: {type: "disabled"}` to stop: Claude Opus 5 ("On
 * Claude Opus 5, thinking is on by default and thinking: {"type": "disabled"} is accepted at effort high
 * or below", What's new in Claude Opus 5.5) and Haiku 5.5 ("Haiku 5.5 and Opus 5 can disable it when
 * effort is high or lower"). Opus 5.5 and Fable 5.1 cannot ("Thinking can't be disabled"), Fable 5 and
 * Mythos 5 refuse `disabled` ("Both thinking: {type: "disabled"} and manual extended thinking … return a
 * 400", their migration guide), Sonnet 5.5 only turns off up-front thinking (`between_tools`, which still
 * thinks between tool calls); Sonnet 5, for which no such rule was found, is not taken to.
 */
export function stopsThinking(model: string): boolean {
  const v = claudeVersion(model);
  if (v === null || v.major < 5) return true;
  if (isVersionedHaiku(model)) return true;
  return /opus/i.test(model) && v.major === 5 && v.minor === 0;
}
