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
