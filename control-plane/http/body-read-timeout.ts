import { shownSeconds } from "../../shared/time/shown-seconds.ts";

/**
 * The refusal of a POST body not whole within BODY_READ_TIMEOUT_MS of reaching its route (shared
 * readBodyBytesWithin), on GraphQL (a 408 GraphQL error) and the regions' routes (408 `request_timeout`);
 * the answer closes the connection, as the client may still be sending.
 */
export function lateBodyMessage(timeoutMs: number): string {
  return `the request body was not received within ${shownSeconds(timeoutMs)} (BODY_READ_TIMEOUT_MS); send it whole without pausing`;
}
