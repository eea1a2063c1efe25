/**
 * Embeddings through the same chain walk as chat (walk-chain.ts): retries, fallback, breaker,
 * timeouts and the attempt trail behave identically. Only deployments whose adapter offers
 * embeddings are ever planned here. `promptEstimate` is the route's input count (counted once), what
 * a translator charges an answer without usable usage (EmbeddingsResponseContext).
 */
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { PlannedTarget } from "../pipeline/plan-route.ts";
import { readWholeAnswer } from "./read-whole-answer.ts";
import type { EmbeddingsRequest, EmbeddingsResponse } from "./types.ts";
import { walkChain, type Operation, type WalkOptions, type WalkResult } from "./walk-chain.ts";

export async function executeEmbeddings(req: EmbeddingsRequest, targets: PlannedTarget[], opts: WalkOptions, promptEstimate?: () => number): Promise<WalkResult<{ response: EmbeddingsResponse; usage: NormalizedUsage }>> {
  const operation: Operation<{ response: EmbeddingsResponse; usage: NormalizedUsage }> = {
    // A vendor's "not served here" is the caller's choice of operation, not the deployment failing.
    kind: "embeddings",
    build: ({ adapter, deployment }, credential) => adapter.embeddings!.buildRequest(req, deployment, credential),
    // The vendor's headers come with the whole answer: only the deadline bounds it (no first-byte timer, so no connectMs).
    firstByteBound: false,
    async read(call, { adapter, deployment }, _redact, redactText) {
      const embeddings = adapter.embeddings!;
      const parsed = await readWholeAnswer(call.response, {
        classify: (status, headers, body) => adapter.classifyError(status, headers, body, "embeddings"),
        errorStatus: adapter.errorStatus,
        redactText,
        parse: (body) => embeddings.parseResponse(body, req, { model: deployment.model, promptEstimate }),
        reportedUsage: embeddings.reportedUsage,
      });
      call.cleanup();
      return parsed;
    },
  };
  return walkChain(targets, operation, opts);
}
