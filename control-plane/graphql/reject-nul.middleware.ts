/**
 * Global type-graphql middleware: PostgreSQL refuses U+0000 in text and jsonb, so a NUL reaching SQL
 * was an INTERNAL_SERVER_ERROR. Every field's arguments — variables and inline literals alike, nested
 * inputs and lists, and the key inside an `after` cursor — are walked before the resolver runs, and a
 * NUL is BAD_USER_INPUT naming the argument. It runs inside `authorize`, so a refused mutation is
 * audited as `refused.<field>` like any other refusal.
 */
import type { MiddlewareFn } from "type-graphql";
import type { GraphQLContext } from "./context.ts";
import { badInput } from "./errors.ts";
import { decodeCursor } from "./page.ts";

/** The path of the first string holding a NUL, or null. */
function findNul(value: unknown, path: string): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findNul(item, `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) {
      const found = findNul(item, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return null;
}

export const rejectNul: MiddlewareFn<GraphQLContext> = async ({ args }, next) => {
  const found = findNul(args, "");
  if (found) throw badInput(found, "must not contain the NUL character (U+0000)");
  if (typeof args.after === "string" && decodeCursor(args.after)?.includes("\u0000")) throw badInput("after", "is not a cursor from this API");
  return next();
};
