/**
 * The one reading of an integer environment variable, for the control plane and the proxy alike: plain
 * decimal digits, no sign, blanks, hex/octal/binary prefix, exponent, fraction or leading zero, at most
 * Number.MAX_SAFE_INTEGER. `Number` alone reads " 2" as 2, "0x10" as 16, "1e3" as 1000 and "2.0" as 2,
 * so a typo became another value instead of a refused start. Range checks are the caller's.
 *
 * @example parseDecimalInteger("30000") // 30000; parseDecimalInteger("1e3") // null
 */
export function parseDecimalInteger(raw: string): number | null {
  if (!/^(0|[1-9][0-9]*)$/.test(raw)) return null;
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : null;
}
