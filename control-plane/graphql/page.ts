/** Keyset pagination: `first` (1..MAX_PAGE) items after an opaque cursor; `nextCursor` is null on the last page. */
import { compareCodePoints } from "./compare-code-points.ts";
import { badInput } from "./errors.ts";

export const MAX_PAGE = 500;
export const DEFAULT_PAGE = 50;

/** Validates `first` and decodes `after`; fetch `limit + 1` rows to know whether a next page exists. */
export function pageArgs(first: number | null | undefined, after: string | null | undefined): { limit: number; after: string | null } {
  const limit = first ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw badInput("first", `must be between 1 and ${MAX_PAGE}`);
  if (after === null || after === undefined || after === "") return { limit, after: null };
  const key = decodeCursor(after);
  if (key === null) throw badInput("after", "is not a cursor from this API");
  return { limit, after: key };
}

/** The key inside a cursor, or null when it is not one of ours. */
export function decodeCursor(cursor: string): string | null {
  const decoded = Buffer.from(cursor, "base64url").toString("utf8");
  return decoded.startsWith("c:") ? decoded.slice(2) : null;
}

export function encodeCursor(key: string): string {
  return Buffer.from(`c:${key}`, "utf8").toString("base64url");
}

/** Cuts the `limit + 1` rows fetched into a page and its next cursor. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => string): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(keyOf(items[items.length - 1]!)) : null };
}

/**
 * Pages a small list (global config: deployments, aliases, prices, regions, which stay in the
 * hundreds) by the same cursor rules; one statement per page either way. The rows are put in
 * code-point order of their key here, and the cursor is compared the same way: the order they came
 * in (a database collation) need not agree with it, and a cursor compared in another order than the
 * rows were sorted in silently dropped rows from the next page.
 */
export function pageInMemory<T>(rows: T[], keyOf: (row: T) => string, first: number | null | undefined, after: string | null | undefined): { items: T[]; nextCursor: string | null } {
  const page = pageArgs(first, after);
  const sorted = rows.map((row) => ({ row, key: keyOf(row) })).sort((a, b) => compareCodePoints(a.key, b.key));
  const start = page.after === null ? 0 : sorted.findIndex((r) => compareCodePoints(r.key, page.after!) > 0);
  const rest = start < 0 ? [] : sorted.slice(start, start + page.limit + 1);
  const { items, nextCursor } = toPage(rest, page.limit, (r) => r.key);
  return { items: items.map((r) => r.row), nextCursor };
}
