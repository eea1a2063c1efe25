/**
 * What a Gemini model id says of its model: its version (`gemini-2.5-flash` → 2.5,
 * `models/gemini-3-pro-preview` → 3.0) and the model line after it (`flash`, `flash-lite`, `pro`). An id
 * of another form (gemini-flash-latest, a tuned model) names no version: null.
 *
 * @example geminiVersion("gemini-3.1-pro-preview") // { major: 3, minor: 1, line: "pro-preview" }
 * @example geminiSeries("gemini-2.5-flash") // 2
 */
export interface GeminiVersion {
  major: number;
  minor: number;
  /** What follows the version: `flash-lite-preview`, `pro`, … ("" when nothing does). */
  line: string;
}

export function geminiVersion(model: string): GeminiVersion | null {
  const match = /^(?:models\/)?gemini-(\d+)(?:\.(\d+))?(?:-(.*))?$/.exec(model);
  return match ? { major: Number(match[1]), minor: Number(match[2] ?? 0), line: match[3] ?? "" } : null;
}

/** The Gemini series a model id names (`gemini-2.5-flash`, `models/gemini-3-pro-preview`: 2, 3), or null. */
export function geminiSeries(model: string): number | null {
  return geminiVersion(model)?.major ?? null;
}
