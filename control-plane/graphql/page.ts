/**
 * Keyset pagination: `first` (1..MAX_PAGE) items after an opaque cursor; `nextCursor` is null on the
 * last page. A cursor names its list (`c:<list>:<key>`, the list being the query field's name): one
 * list's cursor given to another is refused, where it was taken as a position there and answered an
 * empty page (a script's walk ended silently).
 */
import { compareCodePoints } from "./compare-code-points.ts";
import { badInput } from "./errors.ts";

export const MAX_PAGE = 500;
export const DEFAULT_PAGE = 50;

/** What a list is called in its cursors: the query field's name. */
const LIST_NAME = /^c:([A-Za-z]{1,40}):/;

/**
 * Validates `first` and decodes `after`, a cursor of `list`; fetch `limit + 1` rows to know whether a
 * next page exists.
 */
export function pageArgs(list: string, first: number | null | undefined, after: string | null | undefined): { limit: number; after: string | null } {
  const limit = first ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw badInput("first", `must be between 1 and ${MAX_PAGE}`);
  if (after === null || after === undefined || after === "") return { limit, after: null };
  const cursor = decodeCursor(after);
  if (cursor === null) throw badInput("after", "is not a cursor from this API");
  if (cursor.list !== list) throw badInput("after", `is a cursor of ${cursor.list}, not of ${list}`);
  return { limit, after: cursor.key };
}

/** The list and key inside a cursor, or null when it is not one of ours. */
export function decodeCursor(cursor: string): { list: string; key: string } | null {
  const decoded = Buffer.from(cursor, "base64url").toString("utf8");
  const head = LIST_NAME.exec(decoded);
  return head ? { list: head[1]!, key: decoded.slice(head[0].length) } : null;
}

/** @example encodeCursor("tenants", "ten_abc") // a cursor only tenants(after:) takes */
export function encodeCursor(list: string, key: string): string {
  return Buffer.from(`c:${list}:${key}`, "utf8").toString("base64url");
}

/** Cuts the `limit + 1` rows fetched into a page and its next cursor (of `list`). */
export function toPage<T>(list: string, rows: T[], limit: number, keyOf: (row: T) => string): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(list, keyOf(items[items.length - 1]!)) : null };
}

/**
 * Pages a small list (global config: deployments, aliases, prices, regions, which stay in the
 * hundreds) by the same cursor rules; one statement per page either way. The rows are put in
 * code-point order of their key here, and the cursor is compared the same way: the order they came
 * in (a database collation) need not agree with it, and a cursor compared in another order than the
 * rows were sorted in silently dropped rows from the next page.
 */
export function pageInMemory<T>(list: string, rows: T[], keyOf: (row: T) => string, first: number | null | undefined, after: string | null | undefined): { items: T[]; nextCursor: string | null } {
  const page = pageArgs(list, first, after);
  const sorted = rows.map((row) => ({ row, key: keyOf(row) })).sort((a, b) => compareCodePoints(a.key, b.key));
  const start = page.after === null ? 0 : sorted.findIndex((r) => compareCodePoints(r.key, page.after!) > 0);
  const rest = start < 0 ? [] : sorted.slice(start, start + page.limit + 1);
  const { items, nextCursor } = toPage(list, rest, page.limit, (r) => r.key);
  return { items: items.map((r) => r.row), nextCursor };
}
