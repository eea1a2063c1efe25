/**
 * Gemini GenerateContentResponse → OpenAI ChatCompletion (https://ai.google.dev/api/generate-content):
 * one choice per candidate (several for n > 1, sent as candidateCount), under the candidate's index,
 * in index order. One that ended with no text or call, its output an image alone or ended by NO_IMAGE,
 * is a choice with content null and finish_reason stop next to others with an answer; when no choice
 * has one the whole answer is refused (candidate.ts emptyEnd, refuseEmptyAnswer).
 * usageMetadata already counts every candidate. An answer with no candidate is a blocked prompt
 * (content_filter) when it says so (promptFeedback.blockReason), else refused.
 * A usageMetadata without the answer's count (candidatesTokenCount: only the prompt's and thoughts') is
 * charged its counts and the answer's text estimated on top of the thoughts, as a stream ending on that
 * usage is (stream.ts, VendorStream.usageSoFar), so both cost the same.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import { type ChatCompletion, type ResponseContext, VendorProtocolError } from "../types.ts";
import { type AssistantAnswer, assistantCompletion } from "../assistant-completion.ts";
import { type CandidateView, isGeminiResponse, emptyEnd, readCandidates, refuseEmptyAnswer, toolCallId } from "./candidate.ts";
import { mapGeminiFinishReason } from "./finish-reason.ts";
import { signatureExtra } from "./thought-signature.ts";
import { toOpenAIUsage } from "../to-openai-usage.ts";
import { estimatedUsage } from "../usage-counts.ts";
import { usageSoFar } from "../vendor-stream.ts";
import { convertGeminiUsage, hasGeminiAnswerCount } from "./usage.ts";

export function parseGeminiResponse(body: unknown, ctx: ResponseContext): { completion: ChatCompletion; usage: NormalizedUsage } {
  if (!isGeminiResponse(body)) throw new VendorProtocolError("Gemini answered something that is not a GenerateContentResponse.");
  const views = readCandidates(body);
  // Gemini answers without candidates only for a blocked prompt (readCandidates makes its blockReason
  // candidate 0): one with neither is no answer, refused as the stream without a candidate is (stream.ts).
  if (views.length === 0) throw new VendorProtocolError("Gemini answered without a candidate or a blockReason");
  const choices = views.sort((a, b) => a.index - b.index).map(choiceOf);
  refuseEmptyAnswer(choices.map((c) => c.emptyEnd));
  const answers = choices.map((c) => c.answer);
  const reported = convertGeminiUsage(body.usageMetadata);
  const answer = assistantCompletion(ctx, answers, reported);
  if (reported === null || hasGeminiAnswerCount(body.usageMetadata)) return answer;
  const usage = usageSoFar(reported, ctx.promptEstimate?.(ctx.model) ?? 0, estimatedUsage(answer.completion, ctx).outputTokens);
  answer.completion.usage = toOpenAIUsage(usage);
  return { completion: answer.completion, usage };
}

/** A candidate's choice, and why it leaves the client nothing (emptyEnd) or null. */
function choiceOf(view: CandidateView): { answer: AssistantAnswer; emptyEnd: string | null } {
  const toolCalls = view.calls.map((call) => ({
    id: toolCallId(call.id),
    type: "function" as const,
    function: { name: call.name, arguments: JSON.stringify(call.args) },
    ...signatureExtra(call.signature),
  }));
  const finishReason = mapGeminiFinishReason(view.finishReason, toolCalls.length > 0) ?? "stop";
  return {
    answer: { index: view.index, content: view.text === "" ? null : view.text, toolCalls, finishReason },
    emptyEnd: emptyEnd(view.finishReason, view.inlineData, view.text !== "" || toolCalls.length > 0, finishReason),
  };
}
