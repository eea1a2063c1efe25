/**
 * The attempt trail's reason for a parameter an adapter refused. The reason leaves the region in the
 * usage event and is written into the proxy's log, so it names the parameter only when the name is
 * one the gateway wrote: a path under a top-level field the translating adapters rule on
 * (`messages[3].tool_calls[0].function.arguments`), of the fixed shape below. A top-level field the
 * client made up (refuseUnknownFields refuses it by its own name: any length, a newline, a NUL, a
 * patient's name) is plain `unsupported_parameter`; a field the client named inside a message or part
 * (message-fields.ts) is traced by the path of what holds it (UnsupportedParameterError.tracedParam).
 * The client's own 400 still names it
 * (unsupportedParameterToGatewayError): that goes back to the client that wrote it.
 *
 * @example unsupportedParameterReason("logprobs") // "unsupported_parameter:logprobs"
 * @example unsupportedParameterReason("top_k") // "unsupported_parameter"
 */
import { TRANSLATED_CHAT_FIELDS, TRANSLATED_EMBEDDINGS_FIELDS } from "./refuse-without-equivalent.ts";

const UNSUPPORTED_PARAMETER_REASON = "unsupported_parameter";

/** Lower-case field names, each with an optional index, joined by dots: a path in an OpenAI request. */
const PATH_SHAPE = /^[a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)*$/;

/** Long enough for the deepest path an adapter names (a thought signature in a tool call of a message). */
const MAX_PATH_CHARS = 128;

function isKnownPath(param: string): boolean {
  if (param.length > MAX_PATH_CHARS || !PATH_SHAPE.test(param)) return false;
  const top = /^[a-z_]+/.exec(param)![0];
  return TRANSLATED_CHAT_FIELDS.has(top) || TRANSLATED_EMBEDDINGS_FIELDS.has(top);
}

export function unsupportedParameterReason(param: string): string {
  return isKnownPath(param) ? `${UNSUPPORTED_PARAMETER_REASON}:${param}` : UNSUPPORTED_PARAMETER_REASON;
}
