import { expect, test } from "bun:test";
import { parseDecimalInteger } from "./decimal-integer.ts";

test("a plain decimal integer reads as its value", () => {
  for (const [raw, value] of [["0", 0], ["7", 7], ["30000", 30000], ["9007199254740991", Number.MAX_SAFE_INTEGER]] as const) expect(parseDecimalInteger(raw)).toBe(value);
});

test("anything Number() would also read is refused: sign, blanks, hex, octal, binary, exponent, fraction, leading zero, unsafe size", () => {
  for (const raw of ["", " ", " 2", "2 ", "+2", "-1", "0x10", "0o7", "0b1", "1e3", "2.0", "2.", ".5", "08", "Infinity", "NaN", "9007199254740992", "1_000"]) {
    expect(parseDecimalInteger(raw)).toBeNull();
  }
});
