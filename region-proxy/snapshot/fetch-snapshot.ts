/**
 * One conditional GET of the region's snapshot, bounded twice: `headersMs` for the status and headers
 * (a control plane that hangs ends the poll quickly), then `bodyMs` for the body alone, which can be
 * tens of MB (a 50,000-key snapshot is ~18 MB: over 5 s on a link under ~29 Mbit/s). Throws when the
 * control plane cannot be reached, a bound passes or the body is cut off; any other answer is returned
 * with its body read (200) or discarded.
 *
 * @example const answer = await fetchSnapshot(url, headers, { signal, headersMs: 5000, bodyMs: 60_000 });
 */
export type SnapshotAnswer = { status: 200; jws: string; etag: string | null } | { status: number; etag: string | null };

export interface FetchSnapshotOptions {
  /** Aborts the poll (the loop stopping). */
  signal: AbortSignal;
  headersMs: number;
  bodyMs: number;
}

export async function fetchSnapshot(url: string, headers: Record<string, string>, opts: FetchSnapshotOptions): Promise<SnapshotAnswer> {
  const bound = new AbortController();
  let timer = setTimeout(() => bound.abort(new Error(`the control plane did not answer within ${opts.headersMs} ms`)), opts.headersMs);
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.any([opts.signal, bound.signal]) });
    clearTimeout(timer);
    const etag = response.headers.get("etag");
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {});
      return { status: response.status, etag };
    }
    timer = setTimeout(() => bound.abort(new Error(`the snapshot body was not received within ${opts.bodyMs} ms`)), opts.bodyMs);
    return { status: 200, jws: await response.text(), etag };
  } finally {
    clearTimeout(timer);
  }
}
