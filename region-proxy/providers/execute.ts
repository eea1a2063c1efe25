/**
 * The ONE place that talks to vendors for chat: builds the chat operation (non-stream or stream) and
 * lets walk-chain.ts own every retry, fallback, timeout, abort and the breaker. A stream is committed
 * once its first chunk is in hand, so it falls back only before anything reached the client; its
 * first-byte timeout ends with the vendor's first event.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { PlannedTarget } from "../pipeline/plan-route.ts";
import type { Redactor } from "../credentials/redact-credential.ts";
import { cutWhileSending, type CallEnding } from "./call-ending.ts";
import { readWholeAnswer, withReportedUsage } from "./read-whole-answer.ts";
import { readSseBatches } from "./sse-reader.ts";
import { VendorProtocolError, type ChatCompletion, type ChatRequest, type ResponseContext, type VendorHttpRequest } from "./types.ts";
import { usageChunk } from "./to-openai-usage.ts";
import { committedStream, readUntilChunks, vendorEvents, type StreamCall, type UsageEstimateChunk, type VendorStream } from "./vendor-stream.ts";
import type { VendorCall } from "./vendor-call.ts";
import { walkChain, type Operation, type Trail, type WalkOptions } from "./walk-chain.ts";

export type { VendorStream } from "./vendor-stream.ts";
export type { Trail } from "./walk-chain.ts";

export interface ExecuteOptions extends Omit<WalkOptions, "label"> {
  ctx: Omit<ResponseContext, "model">;
}

export type ExecuteResult =
  | { ok: true; kind: "complete"; completion: ChatCompletion; usage: NormalizedUsage; trail: Trail }
  | { ok: true; kind: "stream"; stream: VendorStream; trail: Trail }
  | { ok: false; error: GatewayError; clientClosed: boolean; trail: Trail };

type ChatAnswer = { kind: "complete"; completion: ChatCompletion; usage: NormalizedUsage } | { kind: "stream"; stream: VendorStream };

export async function executeChat(req: ChatRequest, targets: PlannedTarget[], opts: ExecuteOptions): Promise<ExecuteResult> {
  const result = await walkChain(targets, new ChatOperation(req, opts.ctx), { ...opts, label: opts.ctx.completionId });
  if (!result.ok) return result;
  const answer = result.value;
  return answer.kind === "complete"
    ? { ok: true, kind: "complete", completion: answer.completion, usage: answer.usage, trail: result.trail }
    : { ok: true, kind: "stream", stream: answer.stream, trail: result.trail };
}

/** The chat operation (walk-chain.ts Operation) for one request: one object, its methods on the prototype (no closures per request). */
class ChatOperation implements Operation<ChatAnswer> {
  /** A stream's verdict on its deployment is how it ends, not its first chunk (walk-chain.ts CallEnding). */
  readonly verdictAtEnd: boolean;
  /** A non-streamed answer's headers come once it is whole: only the deadline bounds it. */
  readonly firstByteBound: boolean;

  constructor(
    private readonly req: ChatRequest,
    private readonly ctx: ExecuteOptions["ctx"],
  ) {
    this.verdictAtEnd = req.stream;
    this.firstByteBound = req.stream;
  }

  build({ adapter, deployment }: PlannedTarget, credential: string): VendorHttpRequest {
    return adapter.buildRequest(this.req, deployment, credential);
  }

  async read(call: VendorCall, { adapter, deployment }: PlannedTarget, redact: Redactor, redactText: (text: string) => string, ending: CallEnding): Promise<ChatAnswer> {
    const req = this.req;
    const jsonResponse = asksForJson(req.response_format) && call.jsonAsText !== true;
    // Its fields listed, not the caller's object spread (a generic property copy per request).
    const { completionId, created, includeUsage, promptEstimate } = this.ctx;
    const ctx: ResponseContext = { completionId, created, includeUsage, promptEstimate, model: deployment.model, jsonResponse, vendorText: redactText };
    if (!req.stream) {
      const { completion, usage } = await readWholeAnswer(call.response, {
        classify: adapter.classifyError,
        errorStatus: adapter.errorStatus,
        redactText,
        parse: (body) => adapter.parseResponse(body, ctx),
        reportedUsage: adapter.reportedUsage,
      });
      call.cleanup();
      return { kind: "complete", completion, usage };
    }
    if (!call.response.body) throw new VendorProtocolError("stream response has no body");
    // The vendor's first bytes, not the first chunk, end the first-byte wait: a model that thinks
    // (Anthropic's ping or signature_delta, an SSE comment keep-alive) may send what becomes no chunk, and it has answered.
    const events = vendorEvents(readSseBatches(call.response.body, () => call.heard()));
    const translator = adapter.createStreamTranslator(ctx);
    // What the vendor reports before the first chunk is charged if the call is then left unanswered.
    call.reportedSoFar = translator;
    let first: Awaited<ReturnType<typeof readUntilChunks>>;
    try {
      first = await readUntilChunks(events, translator);
    } catch (error) {
      // Refused before its first chunk: what the vendor reported so far (Anthropic's message_start).
      throw withReportedUsage(error, () => translator.partialUsage?.() ?? null);
    }
    const estimate: UsageEstimateChunk | undefined = ctx.includeUsage
      ? {
          promptTokens: () => ctx.promptEstimate?.(deployment.model) ?? 0,
          // As the chunks already sent name them (the vendor's created and model), else as the gateway would.
          chunk: (usage, sent) => usageChunk(sent ? { completionId: ctx.completionId, created: sent.created, model: sent.model } : ctx, usage),
        }
      : undefined;
    return { kind: "stream", stream: committedStream(events, translator, first, new CommittedCall(call, redact, ending), estimate) };
  }
}

/** The vendor call behind a committed stream (vendor-stream.ts StreamCall): one object per stream, its methods on the prototype (no closures). */
class CommittedCall implements StreamCall {
  constructor(
    private readonly call: VendorCall,
    readonly redact: Redactor,
    readonly ending: CallEnding,
  ) {}

  abort(): void {
    this.call.abort();
  }

  cleanup(): void {
    this.call.cleanup();
  }

  timedOut(): boolean {
    return this.call.state().timedOut !== null;
  }

  /** The same rule as the breaker's verdict (callEnding gets the same first-byte budget). */
  cutWhileSending(waitingSince: number): boolean {
    return cutWhileSending(this.call.state(), waitingSince, this.call.firstByteMs);
  }
}

/** response_format json_object or json_schema (anything else was refused or means text). */
function asksForJson(format: unknown): boolean {
  const type = (format as { type?: unknown } | null | undefined)?.type;
  return type === "json_object" || type === "json_schema";
}
