/**
 * The client's field that forces tool use in a built Anthropic body: its tool_choice is forced (`any`,
 * `tool`) either by the client's tool_choice (`required` or a named function) or by a JSON
 * response_format, which tools.ts sends as a forced call of its JSON tool. Null when the body forces no
 * tool. A refusal of forced tool use (request.ts for the model, thinking.ts beside thinking) names it.
 *
 * @example forcedToolField({ tool_choice: "required" }, { tool_choice: { type: "any" } }) // "tool_choice"
 * @example forcedToolField({}, { tool_choice: { type: "tool", name: "gateway_json_response" } }) // "response_format"
 * @example forcedToolField({ tool_choice: "auto" }, { tool_choice: { type: "auto" } }) // null
 */
import type { ChatRequest } from "../types.ts";

export function forcedToolField(req: Pick<ChatRequest, "tool_choice">, body: { tool_choice?: unknown }): "tool_choice" | "response_format" | null {
  const type = (body.tool_choice as { type?: unknown } | null | undefined)?.type;
  if (type !== "any" && type !== "tool") return null;
  const byClient = req.tool_choice === "required" || (typeof req.tool_choice === "object" && req.tool_choice !== null);
  return byClient ? "tool_choice" : "response_format";
}
