/**
 * Strict ISO 8601 times for what crosses the wire between proxy and control plane (usage events,
 * lease expiries). `Date.parse` alone takes "99999" (year 99999), "1" (2001) or "May 5": a lease that
 * never expires, an event booked in another century.
 */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

/**
 * The instant of a strict ISO 8601 time (`2026-03-01T10:00:00.000Z`, or with an offset) that names a
 * real calendar date and clock time, with a four-digit year; else null.
 *
 * @example parseIsoTime("2026-02-30T00:00:00Z") // null
 */
export function parseIsoTime(value: string): Date | null {
  const m = ISO_TIME.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(year, month - 1, day));
  if (local.getUTCFullYear() !== year || local.getUTCMonth() !== month - 1 || local.getUTCDate() !== day) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms) : null;
}
