/**
 * Global type-graphql middleware, and the check `authorize` runs first on every root field: text and
 * times PostgreSQL cannot store were INTERNAL_SERVER_ERRORs, or worse. Every field's arguments —
 * variables and inline literals alike, nested inputs and lists, and the key inside an `after` cursor —
 * are walked before the resolver runs, and any of these is BAD_USER_INPUT naming the argument:
 * - a NUL (U+0000): PostgreSQL refuses it in text and jsonb;
 * - a string that is not well-formed UTF-16 (a lone surrogate): text stores it as U+FFFD, so an audit
 *   row hashed over the string no longer verified, and jsonb refuses its `\ud800` escape outright;
 * - a time (DateTime) outside years 0100..9999: PostgreSQL has no year 0 and cannot read `+010000-…`,
 *   and years 0001..0099 do not come back as sent (MIN_TIME); a filter only compared in SQL
 *   (FILTER_TIMES) may start at 0001 (FILTER_MIN_TIME).
 * `authorize` runs it before the access check, so a refused mutation is audited as `refused.<field>`
 * like any other refusal, and nothing ill-formed ever reaches the audit chain.
 */
import type { GraphQLError } from "graphql";
import type { MiddlewareFn } from "type-graphql";
import { isWellFormedText } from "../../shared/text/storable-text.ts";
import type { GraphQLContext } from "./context.ts";
import { badInput } from "./errors.ts";
import { decodeCursor } from "./page.ts";

/**
 * The earliest and latest instants a DateTime argument may name: what a timestamptz reads back as
 * unchanged. PostgreSQL stores years 0001..0099, but postgres.js parses the text it sends back with
 * `new Date("0049-01-01 00:00:00+00")`, which reads a year below 100 as 1950..2049: an applyAt of 0049
 * was answered, compared and scheduled as 2049 while SQL applied it at once. (Read back in UTC, the
 * session zone of a server installed as Etc/UTC; one whose default zone is local prints early times in
 * local mean time, "-07:52:58", which postgres.js cannot read at all.)
 */
export const MIN_TIME = Date.parse("0100-01-01T00:00:00.000Z");
export const MAX_TIME = Date.parse("9999-12-31T23:59:59.999Z");

/**
 * The earliest a filter may name: PostgreSQL's first year. A filter is compared in SQL and never stored
 * or read back, so the two-digit-year misreading cannot reach it, and clients send Go's zero time and
 * .NET's DateTime.MinValue (0001-01-01T00:00:00Z) as "from the start".
 */
export const FILTER_MIN_TIME = Date.parse("0001-01-01T00:00:00.000Z");

/**
 * The DateTime arguments that are filters, by `Parent.field`, as argument paths. Every other DateTime
 * argument (applyAt of proposeChange and proposeRollback, createKey's expiresAt) is stored and read
 * back, and starts at MIN_TIME: a new argument is held to that unless it is listed here.
 */
const FILTER_TIMES: Record<string, ReadonlySet<string>> = {
  "Query.spend": new Set(["from", "to"]),
  "Query.auditLog": new Set(["from", "to"]),
  "Query.budgetAlerts": new Set(["since"]),
};
const NO_FILTERS: ReadonlySet<string> = new Set();

/** What is wrong with one string, or null. */
function textProblem(value: string): string | null {
  if (value.includes("\u0000")) return "must not contain the NUL character (U+0000)";
  if (!isWellFormedText(value)) return "must be well-formed Unicode (no unpaired surrogate)";
  return null;
}

/** The first argument PostgreSQL could not store faithfully, as a BAD_USER_INPUT error naming it. */
function findBad(value: unknown, path: string, filters: ReadonlySet<string>): GraphQLError | null {
  if (typeof value === "string") {
    const problem = textProblem(value);
    return problem ? badInput(path, problem) : null;
  }
  if (value instanceof Date) {
    const time = value.getTime();
    if (Number.isNaN(time)) return badInput(path, "is not a valid time");
    if (filters.has(path)) {
      if (time < FILTER_MIN_TIME || time > MAX_TIME) return badInput(path, "must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z");
    } else if (time < MIN_TIME || time > MAX_TIME) return badInput(path, "must be between 0100-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z");
    return null;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findBad(item, `${path}[${i}]`, filters);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem) return badInput(path || "(argument)", `keys ${keyProblem}`);
      const found = findBad(item, path ? `${path}.${key}` : key, filters);
      if (found) return found;
    }
  }
  return null;
}

/** The BAD_USER_INPUT error for the arguments of `field` ("Query.spend"), or null when they are all storable. */
export function badArgumentsIn(field: string, args: Record<string, unknown>): GraphQLError | null {
  const found = findBad(args, "", FILTER_TIMES[field] ?? NO_FILTERS);
  if (found) return found;
  if (typeof args.after === "string") {
    const key = decodeCursor(args.after)?.key ?? null;
    if (key !== null && textProblem(key)) return badInput("after", "is not a cursor from this API");
  }
  return null;
}

export const rejectNul: MiddlewareFn<GraphQLContext> = async ({ args, info }, next) => {
  const bad = badArgumentsIn(`${info.parentType.name}.${info.fieldName}`, args);
  if (bad) throw bad;
  return next();
};
