/**
 * The smallest string and number a JSON Schema node allows, for schema-instance.ts: a string is the
 * echo text (or its `format`'s example) fitted to minLength/maxLength, or when `pattern` refuses it a
 * simple candidate the pattern matches; a number is the smallest the bounds allow (0 when unbounded,
 * the upper bound when that is below 0), draft 4's boolean exclusiveMinimum/Maximum read as draft 6's
 * numbers, on `multipleOf`'s grid. A node no value it finds meets throws a SchemaError naming why.
 *
 * @example numberOf({ type: "integer", minimum: 1, multipleOf: 5 }, true) // 5
 */
export type Schema = Record<string, unknown>;

/** A schema the echo vendor cannot build an instance of; the message says why. */
export class SchemaError extends Error {}

/** The longest string (minLength) it writes. */
export const MAX_STRING = 100_000;
/** How many grid points (multipleOf, integers) it tries before giving up on a number's bounds. */
const MAX_STEPS = 1000;

const FORMATS: Record<string, string> = {
  "date-time": "1970-01-01T00:00:00Z",
  date: "1970-01-01",
  time: "00:00:00",
  duration: "P0D",
  email: "echo@example.com",
  hostname: "example.com",
  ipv4: "127.0.0.1",
  ipv6: "::1",
  uri: "https://example.com/",
  url: "https://example.com/",
  uuid: "00000000-0000-4000-8000-000000000000",
};

const finite = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** A pattern as a RegExp (Unicode when it reads as one); one it cannot read is a SchemaError. */
function regex(pattern: string): RegExp {
  for (const flags of ["u", ""]) {
    try {
      return new RegExp(pattern, flags);
    } catch {
      // the next flags
    }
  }
  throw new SchemaError(`pattern '${pattern}' is not a regular expression the echo vendor reads.`);
}

export const matches = (pattern: string, text: string): boolean => regex(pattern).test(text);

/** The literal text a pattern starts with after its `^` (`^ab\\-c[0-9]` → "ab-c"), "" when none. */
function literalPrefix(pattern: string): string {
  let out = "";
  let i = pattern.startsWith("^") ? 1 : 0;
  for (; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\" && /[^A-Za-z0-9]/.test(pattern[i + 1] ?? "a")) out += pattern[++i];
    else if (/[A-Za-z0-9 _\-:@\/,;'"=#%&~<>!]/.test(ch)) out += ch;
    else break;
  }
  // A quantifier after the last character applies to it alone: leave that character to the candidates.
  return /[*+?{]/.test(pattern[i] ?? "") ? out.slice(0, -1) : out;
}

/** Simple strings to try against a pattern: its literal start, then that followed by one character repeated (letters, digits, punctuation) up to 16 times. */
function* simpleStrings(prefix: string): Generator<string> {
  yield prefix;
  for (const ch of ["a", "A", "0", "x", "a0", "_", "-", " ", "."]) for (let n = 1; n <= 16; n++) yield prefix + ch.repeat(n);
}

/**
 * The first of `preferred`, then of simple candidates and format examples, that `pattern` matches
 * within the length bounds and `accept` takes; undefined when none does.
 */
export function matching(pattern: string, preferred: string[], min = 0, max = Infinity, accept: (s: string) => boolean = () => true): string | undefined {
  const re = regex(pattern);
  const fits = (s: string) => s.length >= min && s.length <= max && re.test(s) && accept(s);
  for (const s of preferred) if (fits(s)) return s;
  for (const s of Object.values(FORMATS)) if (fits(s)) return s;
  const prefix = literalPrefix(pattern);
  for (const s of simpleStrings("")) if (fits(s)) return s;
  if (prefix !== "") for (const s of simpleStrings(prefix)) if (fits(s)) return s;
  return undefined;
}

export function stringOf(schema: Schema, text: string): string {
  // Own entries only: a format named like an Object.prototype member (toString) is an unknown format.
  const format = typeof schema.format === "string" && Object.hasOwn(FORMATS, schema.format) ? FORMATS[schema.format] : undefined;
  let out = format ?? text;
  const min = finite(schema.minLength) ?? 0;
  const max = finite(schema.maxLength) ?? Infinity;
  if (min > MAX_STRING) throw new SchemaError(`minLength ${min} is longer than the echo vendor writes (${MAX_STRING}).`);
  if (min > max) throw new SchemaError(`no string is at least minLength ${min} and at most maxLength ${max} long.`);
  if (out.length < min) out = out.padEnd(min, out === "" ? "x" : out);
  if (out.length > max) out = out.slice(0, max);
  if (typeof schema.pattern !== "string") return out;
  const found = matching(schema.pattern, [out, text, text.toLowerCase()], min, max);
  if (found === undefined) throw new SchemaError(`no string the echo vendor writes matches pattern '${schema.pattern}'.`);
  return found;
}

type Bound = { at: number; open: boolean };

/** A lower (`tighter` Math.max) or upper (Math.min) bound from its inclusive and exclusive keywords, draft 4's boolean read too. */
function bound(inclusive: unknown, exclusive: unknown, lower: boolean): Bound | undefined {
  const at = finite(inclusive);
  const bounds: Bound[] = [];
  if (at !== undefined) bounds.push({ at, open: exclusive === true });
  const open = finite(exclusive);
  if (open !== undefined) bounds.push({ at: open, open: true });
  if (bounds.length === 0) return undefined;
  // The tighter of the two; at equal values the exclusive one.
  return bounds.reduce((a, b) => (a.at === b.at ? (a.open ? a : b) : (lower ? a.at > b.at : a.at < b.at) ? a : b));
}

const tidy = (v: number) => Number(v.toPrecision(12));

export function numberOf(schema: Schema, integer: boolean): number {
  const low = bound(schema.minimum, schema.exclusiveMinimum, true);
  const high = bound(schema.maximum, schema.exclusiveMaximum, false);
  const step = (finite(schema.multipleOf) ?? 0) > 0 ? (schema.multipleOf as number) : undefined;
  const above = (v: number) => !low || (low.open ? v > low.at : v >= low.at);
  const below = (v: number) => !high || (high.open ? v < high.at : v <= high.at);
  const onGrid = (v: number) => (!integer || Number.isInteger(v)) && (step === undefined || Number.isInteger(tidy(v / step)));
  const fits = (v: number) => above(v) && below(v) && onGrid(v);
  if (fits(0) && !low) return 0;
  // Upward from the lower bound, or (no lower bound, 0 above the upper) downward from the upper.
  const up = low !== undefined || high === undefined;
  const start = low?.at ?? high?.at ?? 0;
  if (step === undefined && !integer) {
    const candidate = fits(start) ? start : low && high ? (low.at + high.at) / 2 : up ? start + 1 : start - 1;
    if (fits(candidate)) return candidate;
    throw new SchemaError("no number meets its minimum and maximum.");
  }
  const unit = step ?? 1;
  let k = up ? Math.ceil(tidy(start / unit)) : Math.floor(tidy(start / unit));
  for (let i = 0; i < MAX_STEPS; i++, k += up ? 1 : -1) {
    const v = tidy(k * unit);
    if (fits(v)) return v;
    if ((up && !below(v)) || (!up && !above(v))) break;
  }
  throw new SchemaError(`no ${integer ? "integer" : "number"} the echo vendor finds meets its minimum, maximum and multipleOf.`);
}
