/**
 * The client's field that forces tool use in a built Anthropic body: its tool_choice is forced (`any`,
 * `tool`) either by the client's tool_choice (`required`, a named function, allowed_tools in mode
 * required) or by a JSON response_format, which tools.ts sends as a forced call of its JSON tool. Null
 * when the body forces no tool. toAnthropicBody reads it once; a refusal of forced tool use (request.ts
 * for the model, thinking.ts beside thinking) names it, in that refusal's words for each field (refuseForcedTool).
 *
 * @example forcedToolField({ tool_choice: "required" }, { tool_choice: { type: "any" } }) // "tool_choice"
 * @example forcedToolField({}, { tool_choice: { type: "tool", name: "gateway_json_response" } }) // "response_format"
 * @example forcedToolField({ tool_choice: "auto" }, { tool_choice: { type: "auto" } }) // null
 */
import { allowedMode } from "../allowed-tools.ts";
import type { ChatRequest } from "../types.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";

export type ForcedToolField = "tool_choice" | "response_format";

export function forcedToolField(req: Pick<ChatRequest, "tool_choice">, body: { tool_choice?: unknown }): ForcedToolField | null {
  const type = (body.tool_choice as { type?: unknown } | null | undefined)?.type;
  if (type !== "any" && type !== "tool") return null;
  // A named function or allowed_tools in mode required forces a call; allowed_tools in mode auto
  // (sent as Anthropic's auto) forces none, so a forced tool here is the JSON format's.
  const byClient = req.tool_choice === "required" || (typeof req.tool_choice === "object" && req.tool_choice !== null && allowedMode(req.tool_choice) !== "auto");
  return byClient ? "tool_choice" : "response_format";
}

/** Refuses forced tool use, naming the client's field that forced it, with `why` for that field. */
export function refuseForcedTool(field: ForcedToolField, why: Readonly<Record<ForcedToolField, string>>): never {
  throw new UnsupportedParameterError(field, why[field]);
}
