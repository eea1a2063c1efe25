/**
 * The `innererror` of Azure's content_filter refusal, cut down to its documented keys and values
 * (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/content-filter): the code
 * `ResponsibleAIPolicyViolation` and, per known category, `filtered`, `detected` and `severity`.
 * Every string in the result is one of this file's own constants, never the vendor's text, so nothing
 * else Azure wrote (a quoted credential, a blocklist's id, a citation) can reach the client;
 * withoutCredential therefore has nothing in it to cut.
 *
 * @example contentFilterDetail({ code: "ResponsibleAIPolicyViolation", content_filter_result: { hate: { filtered: true, severity: "high" } } })
 */
import type { ContentFilterInnerError } from "../../../shared/errors/openai-error.ts";

const INNER_CODE = "ResponsibleAIPolicyViolation";
/** Azure's prompt categories; `self-harm` is how some api-versions spell `self_harm`. */
const CATEGORIES = [
  "hate", "sexual", "violence", "self_harm", "self-harm", "profanity", "jailbreak", "indirect_attack",
  "protected_material_text", "protected_material_code", "custom_blocklists",
] as const;
const SEVERITIES = ["safe", "low", "medium", "high"] as const;

type CategoryResult = NonNullable<ContentFilterInnerError["content_filter_result"]>[string];

function categoryResult(value: unknown): CategoryResult | null {
  if (typeof value !== "object" || value === null) return null;
  const { filtered, detected, severity } = value as Record<string, unknown>;
  const out: CategoryResult = {};
  if (typeof filtered === "boolean") out.filtered = filtered;
  if (typeof detected === "boolean") out.detected = detected;
  const level = SEVERITIES.find((s) => s === severity);
  if (level) out.severity = level;
  return Object.keys(out).length > 0 ? out : null;
}

/** The documented part of Azure's `innererror`, or undefined when it has none. */
export function contentFilterDetail(innererror: unknown): ContentFilterInnerError | undefined {
  if (typeof innererror !== "object" || innererror === null) return undefined;
  const { code, content_filter_result: results } = innererror as Record<string, unknown>;
  const detail: ContentFilterInnerError = {};
  if (code === INNER_CODE) detail.code = INNER_CODE;
  if (typeof results === "object" && results !== null && !Array.isArray(results)) {
    const kept: NonNullable<ContentFilterInnerError["content_filter_result"]> = {};
    for (const category of CATEGORIES) {
      const result = Object.hasOwn(results, category) ? categoryResult((results as Record<string, unknown>)[category]) : null;
      if (result) kept[category] = result;
    }
    if (Object.keys(kept).length > 0) detail.content_filter_result = kept;
  }
  return Object.keys(detail).length > 0 ? detail : undefined;
}
