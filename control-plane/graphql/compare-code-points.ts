/**
 * Compares strings by Unicode code point (the order of PostgreSQL's `collate "C"` over UTF-8), not by
 * UTF-16 unit as `<` and Array.prototype.sort do: those put an astral character (a surrogate pair,
 * U+D800–U+DFFF units) before U+E000–U+FFFF, code-point order after.
 *
 * @example ["😀", "Ａ"].sort(compareCodePoints) // ["Ａ", "😀"]
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointWeight(x) - codePointWeight(y);
  }
  return a.length - b.length;
}

/**
 * Where the first differing UTF-16 units differ, moving surrogates above U+E000–U+FFFF gives code-point
 * order (the prefixes are equal, so both units hold the same place in their code points).
 */
function codePointWeight(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
