/**
 * Streams a committed vendor stream to the client as OpenAI SSE. A failure after the headers ends
 * with one `data: {"error":...}` frame; a client that goes away aborts the vendor call at once and is
 * settled as client_closed. A stream the proxy's stop ends (`signals.cut`, InFlight.cut: the vendor
 * call, registered in InFlight.vendorCalls through WalkOptions.stop, is aborted by the cut) ends with
 * the error frame of a 503 shutting_down and is settled as `error` / `shutting_down`: the gateway's
 * doing, not the client's. A stream whose key a newer snapshot refuses (a kill switch,
 * pipeline/recheck-streams.ts: `running.refuse`) has its vendor call aborted at once and ends with the
 * error frame a new request with that key gets (invalid_api_key), settled as `error` /
 * `invalid_api_key`. A stream that ends without the vendor's usage (client gone, vendor broke or timed
 * out, the stop, a refused key) is charged for what was streamed so far (VendorStream.usageSoFar).
 */
import { errorCode, type GatewayError } from "../../shared/errors/openai-error.ts";
import type { UsageStatus } from "../../shared/usage/usage-event.ts";
import { sseData, SSE_DONE, sseError, SSE_HEADERS, SSE_KEEP_ALIVE } from "../openai/sse-writer.ts";
import type { RunningStream } from "../in-flight.ts";
import { withHeaders } from "../pipeline/gateway-headers.ts";
import type { ChatCompletionChunk } from "../providers/types.ts";
import type { VendorStream } from "../providers/vendor-stream.ts";
import { streamEndedShort, type Trail } from "../providers/walk-chain.ts";
import { SHUTTING_DOWN, type Settler } from "./settler.ts";

/** Bun's ReadableStream constructor for direct sources (the DOM typings only know the standard ones). */
const DirectReadableStream = ReadableStream as unknown as new (source: Bun.DirectUnderlyingSource) => ReadableStream<Uint8Array>;

export function streamResponse(
  vendor: VendorStream,
  trail: Trail,
  headers: Record<string, string>,
  signals: { client: AbortSignal; cut: AbortSignal },
  settleWith: Settler,
  running: RunningStream,
  promptEstimate: () => number,
): Response {
  const source = new StreamSource(vendor, trail, signals, settleWith, running, promptEstimate);
  // Set when a newer snapshot refuses the stream's key: the vendor call is aborted at once, and the
  // stream ends with this error at its next step (a pending read fails with the abort).
  running.refuse = (error, reason) => source.refuse(error, reason);
  try {
    // The SSE headers, then the routed ones, set one by one on the answer's own Headers (withHeaders:
    // cheaper than a record in its init, same order on the wire).
    return withHeaders(withHeaders(new Response(new DirectReadableStream(source)), SSE_HEADERS), headers);
  } catch (error) {
    // No answer can be built (the caller answers 500): the vendor call is closed and settled now, as
    // no pull() will ever run, and the in-flight count is released.
    source.finish("error", "internal_error");
    throw error;
  }
}

/**
 * A direct stream (Bun): frames are written straight to the socket and flushed as each vendor read
 * yields them, with no queue of enqueued chunks and no pull() round trip per chunk. One object per
 * stream: its state in fields, its steps on the prototype.
 */
class StreamSource implements Bun.DirectUnderlyingSource {
  readonly type = "direct";
  private finished = false;
  private refusal: { error: GatewayError; reason: string } | null = null;

  constructor(
    private readonly vendor: VendorStream,
    private readonly trail: Trail,
    private readonly signals: { client: AbortSignal; cut: AbortSignal },
    private readonly settleWith: Settler,
    private readonly running: RunningStream,
    private readonly promptEstimate: () => number,
  ) {}

  refuse(error: GatewayError, reason: string): void {
    if (this.finished || this.refusal) return;
    this.refusal = { error, reason };
    this.vendor.close();
  }

  async pull(controller: ReadableStreamDirectController): Promise<void> {
    const { vendor, signals } = this;
    try {
      // Refused as it was registered (its key refused while the vendor had not answered): nothing of the answer goes out.
      if (this.refusal) throw this.refusal;
      let step: { chunks: ChatCompletionChunk[]; done: boolean } = { chunks: vendor.initialChunks, done: false };
      while (true) {
        for (const chunk of step.chunks) {
          // A number when the socket took it at once (no await on the hot path), a promise under
          // backpressure; 0 once the client has gone.
          let written = controller.write(sseData(chunk));
          if (typeof written !== "number") written = await written;
          if (written === 0) return this.clientGone();
        }
        if (step.done) break;
        // Refused while its chunks were written: the vendor call is already aborted.
        if (this.refusal) throw this.refusal;
        await controller.flush();
        step = await vendor.next();
        if (step.chunks.length === 0 && !step.done) {
          // The vendor showed life without a chunk (a ping, an SSE comment): so does the stream.
          let written = controller.write(SSE_KEEP_ALIVE);
          if (typeof written !== "number") written = await written;
          if (written === 0) return this.clientGone();
        }
      }
      await controller.write(SSE_DONE);
      controller.close();
      this.finish("ok", null);
    } catch (error) {
      if (this.finished) return;
      if (signals.client.aborted) return signals.cut.aborted ? this.endedByStop() : this.refusal ? this.endedRefused(this.refusal) : this.finish("client_closed", "client_closed");
      const failure: GatewayError = signals.cut.aborted ? SHUTTING_DOWN : this.refusal ? this.refusal.error : vendor.failure(error);
      await controller.write(sseError(failure));
      controller.close();
      // The trail names a vendor error event's reason (status_529), as for one before the first chunk.
      this.finish("error", errorCode(failure), signals.cut.aborted ? null : this.refusal ? this.refusal.reason : vendor.failureReason(error));
    }
  }

  cancel(): void {
    this.clientGone();
  }

  finish(status: UsageStatus, code: string | null, reason: string | null = null): void {
    if (this.finished) return;
    this.finished = true;
    const { vendor, trail } = this;
    vendor.close();
    if (status !== "ok") streamEndedShort(trail, reason ?? code ?? status);
    // What the vendor reported, or else what was streamed before the stream ended (client gone, vendor
    // broke or timed out, or no usage chunk): whatever reached the client is charged, never nothing.
    this.settleWith(trail, vendor.usage() ?? vendor.usageSoFar(this.promptEstimate()), status, code);
    this.running.end();
  }

  /**
   * The connection ended under the stream: the client's doing, unless the gateway's own deadline had
   * already ended the vendor call while the client read nothing (its socket full until the server's
   * idle timer closed it): that request ended on a timeout, and its event says so; or the stop had cut
   * it (a client that read nothing until the stop closed its connection).
   */
  private clientGone(): void {
    if (this.signals.cut.aborted) this.endedByStop();
    else if (this.refusal) this.endedRefused(this.refusal);
    else if (this.vendor.timedOut()) this.finish("error", "upstream_timeout");
    else this.finish("client_closed", "client_closed");
  }

  private endedByStop(): void {
    this.finish("error", errorCode(SHUTTING_DOWN));
  }

  private endedRefused(refused: { error: GatewayError; reason: string }): void {
    this.finish("error", errorCode(refused.error), refused.reason);
  }
}
