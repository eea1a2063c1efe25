/**
 * The echo vendor's SSE answer, as OpenAI streams it: per choice a role chunk, one chunk per content
 * piece, or for a function call the role chunk also carrying the call's index, id, type, name and empty
 * arguments then one chunk per arguments piece, then the choice's finish chunk; the usage chunk (`choices: []`) only with
 * include_usage (and then `usage: null` on every other chunk), then `data: [DONE]`. Pulled lazily,
 * so `slow` really paces and a reader that leaves really stops it.
 */
import type { EchoChoice } from "./echo-answer.ts";
import { chunkBody, logprobsBody, sse, SSE_DONE, type usageBody } from "./openai-wire.ts";

export interface EchoStreamPlan {
  id: string;
  created: number;
  model: string;
  choices: EchoChoice[];
  usage: ReturnType<typeof usageBody>;
  includeUsage: boolean;
  /** End the body after this many frames, without [DONE] (the `drop` fault); null for a full stream. */
  dropAfterFrames: number | null;
  delayMs: number;
  /** Called when the reader cancels before the stream finished. */
  onAbandoned: () => void;
}

/** The deltas of one choice, role first, finish last, each made when pulled. */
type Frame = { delta: object; finish: string | null; logprobs?: unknown };

function* choiceFrames(choice: EchoChoice): Generator<Frame> {
  const call = choice.toolCall;
  // A call's first delta carries the role with it, as OpenAI streams one.
  const first = call ? { tool_calls: [{ index: 0, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] } : {};
  yield { delta: { role: "assistant", content: call ? null : "", ...first, refusal: null }, finish: null };
  for (const piece of choice.pieces) yield { delta: { content: piece }, finish: null, logprobs: logprobsBody([piece], choice.logprobs) };
  for (const piece of call?.pieces ?? []) yield { delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] }, finish: null };
  yield { delta: {}, finish: choice.finish };
}

/** Every SSE frame of the answer in order, one at a time: each choice's, the usage chunk, [DONE]. */
function* sseFrames(plan: EchoStreamPlan): Generator<string> {
  const { id, created, model } = plan;
  const perChunkUsage = plan.includeUsage ? null : undefined;
  for (const choice of plan.choices) {
    for (const { delta, finish, logprobs } of choiceFrames(choice)) {
      yield sse(chunkBody(id, created, model, [{ index: choice.index, delta, logprobs: logprobs ?? null, finish_reason: finish }], perChunkUsage));
    }
  }
  if (plan.includeUsage) yield sse(chunkBody(id, created, model, [], plan.usage));
  yield SSE_DONE;
}

export function echoStream(plan: EchoStreamPlan): Response {
  const frames = sseFrames(plan);
  const limit = plan.dropAfterFrames ?? Infinity;
  const encoder = new TextEncoder();
  let sent = 0;
  let finished = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = sent < limit ? frames.next() : null;
      if (!next || next.done) {
        finished = true;
        controller.close();
        return;
      }
      if (plan.delayMs) await Bun.sleep(plan.delayMs);
      sent++;
      controller.enqueue(encoder.encode(next.value));
    },
    cancel() {
      if (!finished) plan.onAbandoned();
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
}
