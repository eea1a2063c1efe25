/**
 * A kill switch acts on what is already running: when a newer snapshot is swapped in, every running
 * stream's key is checked against it as a new request's would be (authenticate.ts keyStanding:
 * revoked or kill-switched, expired, gone, its tenant or an ancestor disabled), and a refused one is
 * ended with the answer a new request gets, invalid_api_key (routes/stream-response.ts aborts the
 * vendor call, writes the error frame and settles what was streamed). A request answered in one piece
 * is not held: one still waiting on its vendor ends within its deployment's total timeout.
 */
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import type { InFlight, RunningStream } from "../in-flight.ts";
import { keyStanding } from "./authenticate.ts";

/** The trail's reason for a stream so ended (one word, as metrics label it; the log says why). */
export const KEY_REFUSED = "key_refused";

export function endRefusedStreams(inFlight: InFlight, snapshot: Snapshot, log: (line: string) => void, now = Date.now()): void {
  for (const stream of inFlight.runningStreams()) endIfRefused(stream, snapshot, log, now);
}

/**
 * Checks one stream's key against `snapshot` and ends the stream if it refuses it. Also called when a
 * stream is registered (routes/chat-completions.ts), if a snapshot other than its admission's is held
 * by then: one swapped in while the vendor had not yet answered (its time to first token) was not
 * checked against a stream that was not yet running.
 */
export function endIfRefused(stream: RunningStream, snapshot: Snapshot, log: (line: string) => void, now = Date.now()): void {
  const standing = keyStanding(stream.keyHash, snapshot, now);
  if (standing.ok || !stream.refuse) return;
  log(`snapshot version ${snapshot.version} refuses a running stream's key (${standing.reason}): ending the stream`);
  stream.refuse({ kind: "invalid_api_key" }, KEY_REFUSED);
}
