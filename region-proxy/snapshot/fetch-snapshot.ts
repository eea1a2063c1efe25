/**
 * One conditional GET of the region's snapshot, bounded twice: `headersMs` for the status and headers
 * (a control plane that hangs ends the poll quickly), then `bodyMs` for the body alone, which can be
 * tens of MB (a 50,000-key snapshot is ~18 MB: over 5 s on a link under ~29 Mbit/s), and read only up
 * to `maxBytes` (read-snapshot-body.ts). Throws when the control plane cannot be reached, a bound
 * passes or the body is cut off; any other answer is returned with its body read (200) or discarded.
 * Never follows a redirect: a 304 is unsigned, so another host's would confirm the held snapshot as
 * current; a 3xx comes back as `redirect` (its status and masked Location, shared/http/redirect-answer.ts).
 * A 404's body is read (at most 4 KB, within `headersMs` again) as `notFound`: the control plane's JSON
 * error or null, and the body's start, so the loop can tell its "no snapshot yet" from another's 404.
 *
 * @example const answer = await fetchSnapshot(url, headers, { signal, headersMs: 5000, bodyMs: 60_000, maxBytes: 256 << 20 });
 */
import { readControlPlaneError, type ControlPlaneErrorBody } from "../../shared/http/control-plane-error.ts";
import { redirectAnswer } from "../../shared/http/redirect-answer.ts";
import { readSnapshotBody } from "./read-snapshot-body.ts";

export type SnapshotAnswer =
  | { status: 200; jws: string; etag: string | null }
  | { status: 200; tooLarge: true; etag: string | null }
  /** A 3xx other than 304, not followed: "307 to \"https://…\"". */
  | { status: number; etag: string | null; redirect: string }
  /** A 404, with its body as the control plane's error (or not). */
  | { status: 404; etag: string | null; notFound: ControlPlaneErrorBody }
  | { status: number; etag: string | null };

export interface FetchSnapshotOptions {
  /** Aborts the poll (the loop stopping). */
  signal: AbortSignal;
  headersMs: number;
  bodyMs: number;
  maxBytes: number;
}

export async function fetchSnapshot(url: string, headers: Record<string, string>, opts: FetchSnapshotOptions): Promise<SnapshotAnswer> {
  const bound = new AbortController();
  let timer = setTimeout(() => bound.abort(new Error(`the control plane did not answer within ${opts.headersMs} ms`)), opts.headersMs);
  try {
    const signal = AbortSignal.any([opts.signal, bound.signal]);
    const response = await fetch(url, { headers, signal, redirect: "manual" });
    clearTimeout(timer);
    const etag = response.headers.get("etag");
    if (response.status === 404) {
      timer = setTimeout(() => bound.abort(new Error(`the 404's body was not received within ${opts.headersMs} ms`)), opts.headersMs);
      return { status: 404, etag, notFound: await readControlPlaneError(response) };
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {});
      const redirect = response.status === 304 ? null : redirectAnswer(response);
      return redirect === null ? { status: response.status, etag } : { status: response.status, etag, redirect };
    }
    timer = setTimeout(() => bound.abort(new Error(`the snapshot body was not received within ${opts.bodyMs} ms`)), opts.bodyMs);
    const body = await readSnapshotBody(response, opts.maxBytes, signal);
    return body === "too_large" ? { status: 200, tooLarge: true, etag } : { status: 200, jws: body.text, etag };
  } finally {
    clearTimeout(timer);
  }
}
