/**
 * Embeddings through the same chain walk as chat (walk-chain.ts): retries, fallback, breaker,
 * timeouts and the attempt trail behave identically. Only deployments whose adapter offers
 * embeddings are ever planned here.
 */
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { PlannedTarget } from "../pipeline/plan-route.ts";
import { errorOnlyBody } from "./error-only-body.ts";
import { streamError } from "./openai/stream-error.ts";
import { readVendorText } from "./read-vendor-text.ts";
import { VendorProtocolError, type EmbeddingsRequest, type EmbeddingsResponse } from "./types.ts";
import { walkChain, type Operation, type WalkOptions, type WalkResult } from "./walk-chain.ts";

export async function executeEmbeddings(req: EmbeddingsRequest, targets: PlannedTarget[], opts: WalkOptions): Promise<WalkResult<{ response: EmbeddingsResponse; usage: NormalizedUsage }>> {
  const operation: Operation<{ response: EmbeddingsResponse; usage: NormalizedUsage }> = {
    build: ({ adapter, deployment }, credential) => adapter.embeddings!.buildRequest(req, deployment, credential),
    // The vendor's headers come with the whole answer: only the deadline (and connectMs) bound it.
    firstByteBound: false,
    async read(call, { adapter, deployment }, _redact, redactText) {
      call.clearFirstByte();
      const body: unknown = JSON.parse(await readVendorText(call.response));
      const vendorError = errorOnlyBody(body);
      if (vendorError !== undefined) throw streamError(vendorError, adapter.classifyError, redactText);
      let parsed: { response: EmbeddingsResponse; usage: NormalizedUsage };
      try {
        parsed = adapter.embeddings!.parseResponse(body, req, { model: deployment.model });
      } catch (error) {
        // Refused but billed: charged what the vendor reported in it (walk-chain.ts Trail.refusedCalls).
        if (error instanceof VendorProtocolError) error.reportedUsage = adapter.embeddings!.reportedUsage?.(body) ?? null;
        throw error;
      }
      call.cleanup();
      return parsed;
    },
  };
  return walkChain(targets, operation, opts);
}
