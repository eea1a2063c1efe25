/**
 * The echo vendor's SSE answer, as OpenAI streams it: a role chunk, one chunk per word, a finish
 * chunk, the usage chunk (`choices: []`) only with include_usage (and then `usage: null` on every
 * other chunk), then `data: [DONE]`. Pulled lazily, so `slow` really paces and a reader that leaves
 * really stops it.
 */
import { chunkBody, sse, SSE_DONE, type usageBody } from "./openai-wire.ts";

export interface EchoStreamPlan {
  id: string;
  created: number;
  model: string;
  words: string[];
  finishReason: string;
  usage: ReturnType<typeof usageBody>;
  includeUsage: boolean;
  /** End the body after this many frames, without [DONE] (the `drop` fault); null for a full stream. */
  dropAfterFrames: number | null;
  delayMs: number;
  /** Called when the reader cancels before the stream finished. */
  onAbandoned: () => void;
}

export function echoStream(plan: EchoStreamPlan): Response {
  const { id, created, model } = plan;
  const perChunkUsage = plan.includeUsage ? null : undefined;
  const choice = (delta: object, finish: string | null) => [{ index: 0, delta, logprobs: null, finish_reason: finish }];
  const frames: string[] = [sse(chunkBody(id, created, model, choice({ role: "assistant", content: "", refusal: null }, null), perChunkUsage))];
  plan.words.forEach((word, i) => frames.push(sse(chunkBody(id, created, model, choice({ content: i === 0 ? word : ` ${word}` }, null), perChunkUsage))));
  frames.push(sse(chunkBody(id, created, model, choice({}, plan.finishReason), perChunkUsage)));
  if (plan.includeUsage) frames.push(sse(chunkBody(id, created, model, [], plan.usage)));
  frames.push(SSE_DONE);
  const limit = plan.dropAfterFrames ?? frames.length;
  const encoder = new TextEncoder();
  let index = 0;
  let finished = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (index >= limit) {
        finished = true;
        controller.close();
        return;
      }
      if (plan.delayMs) await Bun.sleep(plan.delayMs);
      controller.enqueue(encoder.encode(frames[index++]!));
    },
    cancel() {
      if (!finished) plan.onAbandoned();
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
}
