/**
 * Anthropic `stop_reason` → OpenAI `finish_reason`
 * (https://docs.anthropic.com/en/api/handling-stop-reasons). `pause_turn` (a server tool paused a
 * long turn) has no OpenAI word; the turn did end, so `stop`.
 */
export function mapAnthropicStopReason(reason: string | null | undefined): string | null {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
    case "pause_turn":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    case null:
    case undefined:
      return null;
    default:
      return "stop";
  }
}

/**
 * The finish_reason of an ended answer (unstreamed, or a stream at message_stop) that called
 * `clientTools` of the client's tools and answered the response_format JSON tool if `answeredJson`.
 * A stop_reason null or absent (an Anthropic-compatible endpoint's, or a stream with no message_delta)
 * is the turn's normal end, as OpenAI never leaves a finished choice without one (the SDK's stream
 * helper throws "missing finish_reason"): "tool_calls" when it called client tools, else "stop". The
 * JSON tool alone is the client's answer, not a call: "stop".
 */
export function anthropicFinishReason(reason: string | null | undefined, clientTools: number, answeredJson: boolean): string {
  const finish = mapAnthropicStopReason(reason) ?? (clientTools > 0 ? "tool_calls" : "stop");
  return finish === "tool_calls" && clientTools === 0 && answeredJson ? "stop" : finish;
}
