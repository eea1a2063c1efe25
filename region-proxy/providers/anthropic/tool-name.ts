/**
 * The names Anthropic takes for tools. A tool's name must match ^[a-zA-Z0-9_-]{1,128}$ (its 400:
 * "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'"); the gateway's front
 * check also lets `.` through, which OpenAI and Gemini take. A named tool_choice can only name such a
 * tool. A tool_use block in the history takes any name of 1 to 200 characters (Anthropic's API
 * reference), so a call made on another vendor to `calendar.list_events` is sent as it is. A name
 * Anthropic would refuse is refused here, naming the client's field, while the request is built: the
 * walk then skips the deployment and the chain goes on (walk-chain.ts).
 *
 * @example anthropicToolName("calendar.list_events", "tools[0].function.name") // throws UnsupportedParameterError
 */
import { UnsupportedParameterError } from "../unsupported-parameter.ts";

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const MAX_TOOL_USE_NAME = 200;

/** The name of a tool, or of the tool a tool_choice forces, as given when Anthropic takes it. */
export function anthropicToolName(name: string, param: string): string {
  if (!TOOL_NAME.test(name)) {
    throw new UnsupportedParameterError(param, `This provider takes tool names of 1 to 128 characters among a-z, A-Z, 0-9, '_' and '-'; '${name}' is not one.`);
  }
  return name;
}

/** The name of a called tool in the history (a tool_use block), as given when Anthropic takes it. */
export function anthropicToolUseName(name: string, param: string): string {
  if (name.length < 1 || name.length > MAX_TOOL_USE_NAME) {
    throw new UnsupportedParameterError(param, `This provider takes names of called tools of 1 to ${MAX_TOOL_USE_NAME} characters.`);
  }
  return name;
}
