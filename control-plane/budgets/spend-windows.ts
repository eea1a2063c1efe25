/**
 * How a ledger window [start, end) is read: the spend buckets wholly inside it (a key's or a tenant's,
 * 15 minutes each from the Unix epoch, migration 0099) and the raw events of the partial buckets at its
 * edges. Every current time zone's offset is a multiple of 15 minutes, so a period's bounds are on the
 * grid and `raw` is empty; a bound off it (a historical local mean time) is read from its events.
 *
 * @example spendWindows({ start: 00:00Z, end: 00:20Z }) // buckets [00:00, 00:15), raw [[00:15, 00:20)]
 */
export const SPEND_BUCKET_MS = 15 * 60_000;

export interface Window {
  start: Date;
  end: Date;
}

export function spendWindows({ start, end }: Window): { buckets: Window; raw: Window[] } {
  const from = Math.ceil(start.getTime() / SPEND_BUCKET_MS) * SPEND_BUCKET_MS;
  const to = Math.floor(end.getTime() / SPEND_BUCKET_MS) * SPEND_BUCKET_MS;
  // No whole bucket inside: the window is read from its events alone.
  if (from >= to) return { buckets: { start: end, end }, raw: end > start ? [{ start, end }] : [] };
  const raw: Window[] = [];
  if (from > start.getTime()) raw.push({ start, end: new Date(from) });
  if (to < end.getTime()) raw.push({ start: new Date(to), end });
  return { buckets: { start: new Date(from), end: new Date(to) }, raw };
}

/**
 * How a ledger window is read when the buckets are complete only from `completeSince` on (migration 0099
 * records it; null: from the beginning): the part before it from raw events, the rest as spendWindows
 * reads it. Adjacent raw windows are joined.
 *
 * @example ledgerWindows({ start: 00:00Z, end: 02:00Z }, 00:50Z) // buckets [01:00, 02:00), raw [[00:00, 01:00)]
 */
export function ledgerWindows(window: Window, completeSince: Date | null): { buckets: Window; raw: Window[] } {
  if (completeSince === null || completeSince <= window.start) return spendWindows(window);
  if (completeSince >= window.end) return { buckets: { start: window.end, end: window.end }, raw: [window] };
  const after = spendWindows({ start: completeSince, end: window.end });
  const [first, ...rest] = after.raw;
  const raw = first && first.start.getTime() === completeSince.getTime() ? [{ start: window.start, end: first.end }, ...rest] : [{ start: window.start, end: completeSince }, ...after.raw];
  return { buckets: after.buckets, raw };
}
