/**
 * Streams a committed vendor stream to the client as OpenAI SSE. A failure after the headers ends
 * with one `data: {"error":...}` frame; a client that goes away aborts the vendor call at once and is
 * settled as client_closed. A stream the proxy's stop ends (`signals.cut`, InFlight.cut: the vendor
 * call is aborted by the stop's cut signal, listened to beside the client's: WalkOptions.cutSignal) ends with the error frame of a 503 shutting_down and is
 * settled as `error` / `shutting_down`: the gateway's doing, not the client's. A stream whose key a
 * newer snapshot refuses (a kill switch, pipeline/recheck-streams.ts: `running.refuse`) has its vendor
 * call aborted at once and ends with the error frame a new request with that key gets
 * (invalid_api_key), settled as `error` / `invalid_api_key`. A stream that ends without the vendor's
 * usage (client gone, vendor broke or timed out, the stop, a refused key) is charged for what was
 * streamed so far (VendorStream.usageSoFar).
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
  let finished = false;
  // Set when a newer snapshot refuses the stream's key: the vendor call is aborted at once, and the
  // stream ends with this error at its next step (a pending read fails with the abort).
  let refusal: { error: GatewayError; reason: string } | null = null;
  running.refuse = (error, reason) => {
    if (finished || refusal) return;
    refusal = { error, reason };
    vendor.close();
  };
  const finish = (status: UsageStatus, code: string | null, reason: string | null = null) => {
    if (finished) return;
    finished = true;
    vendor.close();
    if (status !== "ok") streamEndedShort(trail, reason ?? code ?? status);
    // What the vendor reported, or else what was streamed before the stream ended (client gone, vendor
    // broke or timed out, or no usage chunk): whatever reached the client is charged, never nothing.
    settleWith(trail, vendor.usage() ?? vendor.usageSoFar(promptEstimate()), status, code);
    running.end();
  };
  // The connection ended under the stream: the client's doing, unless the gateway's own deadline had
  // already ended the vendor call while the client read nothing (its socket full until the server's
  // idle timer closed it): that request ended on a timeout, and its event says so; or the stop had cut
  // it (a client that read nothing until the stop closed its connection).
  const clientGone = () => (signals.cut.aborted ? endedByStop() : refusal ? endedRefused(refusal) : vendor.timedOut() ? finish("error", "upstream_timeout") : finish("client_closed", "client_closed"));
  const endedByStop = () => finish("error", errorCode(SHUTTING_DOWN));
  const endedRefused = (refused: { error: GatewayError; reason: string }) => finish("error", errorCode(refused.error), refused.reason);
  // A direct stream (Bun): frames are written straight to the socket and flushed as each vendor read
  // yields them, with no queue of enqueued chunks and no pull() round trip per chunk.
  const source: Bun.DirectUnderlyingSource = {
    type: "direct",
    async pull(controller: ReadableStreamDirectController) {
      try {
        // Refused as it was registered (its key refused while the vendor had not answered): nothing of the answer goes out.
        if (refusal) throw refusal;
        let step: { chunks: ChatCompletionChunk[]; done: boolean } = { chunks: vendor.initialChunks, done: false };
        while (true) {
          for (const chunk of step.chunks) {
            // A number when the socket took it at once (no await on the hot path), a promise under
            // backpressure; 0 once the client has gone.
            let written = controller.write(sseData(chunk));
            if (typeof written !== "number") written = await written;
            if (written === 0) return clientGone();
          }
          if (step.done) break;
          // Refused while its chunks were written: the vendor call is already aborted.
          if (refusal) throw refusal;
          await controller.flush();
          step = await vendor.next();
          if (step.chunks.length === 0 && !step.done) {
            // The vendor showed life without a chunk (a ping, an SSE comment): so does the stream.
            let written = controller.write(SSE_KEEP_ALIVE);
            if (typeof written !== "number") written = await written;
            if (written === 0) return clientGone();
          }
        }
        await controller.write(SSE_DONE);
        controller.close();
        finish("ok", null);
      } catch (error) {
        if (finished) return;
        if (signals.client.aborted) return signals.cut.aborted ? endedByStop() : refusal ? endedRefused(refusal) : finish("client_closed", "client_closed");
        const failure: GatewayError = signals.cut.aborted ? SHUTTING_DOWN : refusal ? refusal.error : vendor.failure(error);
        await controller.write(sseError(failure));
        controller.close();
        // The trail names a vendor error event's reason (status_529), as for one before the first chunk.
        finish("error", errorCode(failure), signals.cut.aborted ? null : refusal ? refusal.reason : vendor.failureReason(error));
      }
    },
    cancel() {
      clientGone();
    },
  };
  try {
    // The SSE headers, then the routed ones, set one by one on the answer's own Headers (withHeaders:
    // cheaper than a record in its init, same order on the wire).
    return withHeaders(withHeaders(new Response(new DirectReadableStream(source)), SSE_HEADERS), headers);
  } catch (error) {
    // No answer can be built (the caller answers 500): the vendor call is closed and settled now, as
    // no pull() will ever run, and the in-flight count is released.
    finish("error", "internal_error");
    throw error;
  }
}
