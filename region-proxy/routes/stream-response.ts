/**
 * Streams a committed vendor stream to the client as OpenAI SSE. A failure after the headers ends
 * with one `data: {"error":...}` frame; a client that goes away aborts the vendor call at once and is
 * settled as client_closed with the usage known so far (VendorStream.usageSoFar).
 */
import { errorCode, type GatewayError } from "../../shared/errors/openai-error.ts";
import type { UsageStatus } from "../../shared/usage/usage-event.ts";
import { sseData, SSE_DONE, sseError, SSE_HEADERS } from "../openai/sse-writer.ts";
import type { VendorStream } from "../providers/vendor-stream.ts";
import type { Trail } from "../providers/walk-chain.ts";
import type { Settler } from "./settler.ts";

export function streamResponse(
  vendor: VendorStream,
  trail: Trail,
  headers: Record<string, string>,
  clientSignal: AbortSignal,
  settleWith: Settler,
  endInFlight: () => void,
  promptEstimate: () => number,
): Response {
  let finished = false;
  const finish = (status: UsageStatus, code: string | null) => {
    if (finished) return;
    finished = true;
    vendor.close();
    settleWith(trail, status === "client_closed" ? vendor.usageSoFar(promptEstimate()) : vendor.usage(), status, code);
    endInFlight();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of vendor.initialChunks) controller.enqueue(sseData(chunk));
    },
    async pull(controller) {
      try {
        const step = await vendor.next();
        for (const chunk of step.chunks) controller.enqueue(sseData(chunk));
        if (step.done) {
          controller.enqueue(SSE_DONE);
          controller.close();
          finish("ok", null);
        }
      } catch (error) {
        if (finished) return;
        if (clientSignal.aborted) {
          finish("client_closed", "client_closed");
          return;
        }
        const failure: GatewayError = vendor.failure(error);
        controller.enqueue(sseError(failure));
        controller.close();
        finish("error", errorCode(failure));
      }
    },
    cancel() {
      finish("client_closed", "client_closed");
    },
  });
  return new Response(body, { headers: { ...SSE_HEADERS, ...headers } });
}
