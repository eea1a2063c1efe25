/**
 * The tool fields of an OpenAI-format body that OpenAI refuses when there is no tool, and that ask for
 * nothing then, left out: `tools: []` ("Invalid 'tools': empty array", code empty_array), and with no
 * tools left, a tool_choice that forces nothing ("auto" and allowed_tools in mode "auto": "'tool_choice'
 * is only allowed when 'tools' are specified"; "none", which OpenAI takes, asks for nothing too) and parallel_tool_calls ("'parallel_tool_calls' is only
 * allowed when 'tools' are specified", https://github.com/openai/swarm/issues/30). The parser takes them
 * as no tools (../../openai/check-tools.ts), as the Anthropic and Gemini adapters do, so a client that
 * always sends `tools: []` is answered by every vendor. A choice that forces a call never gets here
 * without tools: the parser refuses it naming tool_choice. A body with tools is returned as it is.
 *
 * @example withoutIdleToolFields({ tools: [], tool_choice: "auto", parallel_tool_calls: true, n: 1 }) // { n: 1 }
 */
import { allowedMode } from "../allowed-tools.ts";

const forcesNothing = (choice: unknown) => choice === "auto" || choice === "none" || allowedMode(choice) === "auto";

export function withoutIdleToolFields(body: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(body.tools) && body.tools.length > 0) return body;
  // The usual request without tools names none of the three: it is returned with no copy.
  if (body.tools === undefined && body.tool_choice === undefined && body.parallel_tool_calls === undefined) return body;
  const { tools, tool_choice: choice, parallel_tool_calls: parallel, ...rest } = body;
  const kept: Record<string, unknown> = rest;
  // null is "not given" to OpenAI and passes as sent; so does any choice that forces a call.
  if (tools !== undefined && !Array.isArray(tools)) kept.tools = tools;
  if (choice !== undefined && !forcesNothing(choice)) kept.tool_choice = choice;
  if (parallel === null) kept.parallel_tool_calls = parallel;
  return kept;
}
