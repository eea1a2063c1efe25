/**
 * A kill switch acts on what is already running: when a newer snapshot is swapped in, every running
 * stream's key is checked against it as a new request's would be (authenticate.ts keyStanding:
 * revoked or kill-switched, expired, gone, its tenant or an ancestor disabled), and a refused one is
 * ended with the answer a new request gets, invalid_api_key. So is the deployment it streams from
 * (residency-held.ts): one the snapshot removed (kill switch) ends the stream with upstream_unavailable,
 * one the tenant's residency rule for the stream's data class no longer allows (jurisdictions narrowed,
 * deployment re-labelled) with residency_violation. routes/stream-response.ts aborts the vendor call,
 * writes the error frame and settles what was streamed. A request answered in one piece is not held:
 * one still waiting on its vendor ends within its deployment's total timeout, and calls nothing more
 * the held snapshot forbids (residency-recheck.ts).
 */
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import type { InFlight, RunningStream } from "../in-flight.ts";
import { keyStanding } from "./authenticate.ts";
import { DEPLOYMENT_REMOVED, heldRefusal, heldRule } from "./residency-held.ts";

/** The trail's reason for a stream so ended (one word, as metrics label it; the log says why). */
export const KEY_REFUSED = "key_refused";

export function endRefusedStreams(inFlight: InFlight, snapshot: Snapshot, log: (line: string) => void, now = Date.now()): void {
  for (const stream of inFlight.runningStreams()) endIfRefused(stream, snapshot, log, now);
}

/**
 * Checks one stream's key and route against `snapshot` and ends the stream if it refuses either. Also
 * called when a stream is registered (routes/chat-completions.ts), if a snapshot other than its
 * admission's is held by then: one swapped in while the vendor had not yet answered (its time to
 * first token) was not checked against a stream that was not yet running.
 */
export function endIfRefused(stream: RunningStream, snapshot: Snapshot, log: (line: string) => void, now = Date.now()): void {
  if (!stream.refuse) return;
  const standing = keyStanding(stream.keyHash, snapshot, now);
  if (!standing.ok) {
    log(`snapshot version ${snapshot.version} refuses a running stream's key (${standing.reason}): ending the stream`);
    stream.refuse({ kind: "invalid_api_key" }, KEY_REFUSED);
    return;
  }
  const { tenantId, deploymentId, dataClass } = stream.route;
  const refusal = heldRefusal(snapshot, deploymentId, heldRule(snapshot, tenantId, dataClass));
  if (refusal === null) return;
  log(`snapshot version ${snapshot.version} no longer allows deployment ${deploymentId} for a running stream of tenant ${tenantId} (${refusal}): ending the stream`);
  stream.refuse(
    refusal === DEPLOYMENT_REMOVED
      ? { kind: "upstream_unavailable", message: "The deployment serving this stream was withdrawn; retry to be served by another.", retryAfterSeconds: 1 }
      : { kind: "residency_violation", message: "This tenant's residency rules changed and no longer allow the deployment serving this stream; retry to be routed under the new rules." },
    refusal,
  );
}
