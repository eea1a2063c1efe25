/**
 * Predicted outputs (`prediction`) cannot be combined with max_completion_tokens, as Azure documents
 * for the Chat Completions API it shares with OpenAI
 * (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/how-to/predicted-outputs, "Unsupported
 * features": ... max_completion_tokens). A key with a budget or a TPM limit has every answer that
 * names no cap held to the output its reservation counted (ChatRequest's outputCap, sent as
 * max_completion_tokens), and that cap is what keeps the reservation a bound, so it cannot be left out: such a request is a 400 naming `prediction`, before any call,
 * saying why. A cap the client named itself is the client's to send (the vendor answers it); a key
 * without a budget or TPM limit gets no cap, and its prediction passes as sent.
 *
 * @example refusePredictionUnderCap({ prediction: { type: "content", content: "x" } }, 4096) // throws UnsupportedParameterError("prediction", ...)
 */
import { isSet, refuse } from "../refuse-without-equivalent.ts";

export function refusePredictionUnderCap(raw: Record<string, unknown>, gatewayCap: number): void {
  if (!isSet(raw, "prediction")) return;
  refuse(
    "prediction",
    `Predicted outputs cannot be combined with an output cap (max_completion_tokens), and this key has a budget or a tokens-per-minute limit, under which the gateway caps every answer's output (here at ${gatewayCap} tokens) so that what a request may cost is bounded; a max_completion_tokens of your own would be refused by the model provider with prediction in the same way. Send the request without prediction, or use a key without a budget or TPM limit.`,
  );
}
