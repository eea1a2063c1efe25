/**
 * Embeddings scaled to unit length (L2 norm 1), as OpenAI returns them and its clients assume (a dot
 * product taken as the cosine similarity). Gemini normalizes only its full-size output; a vector cut
 * by outputDimensionality is not (https://ai.google.dev/gemini-api/docs/embeddings#ensuring-quality-for-smaller-dimensions).
 * An all-zero vector has no direction and is returned as it is.
 */
export function toUnitLength(values: number[]): number[] {
  let sum = 0;
  for (const v of values) sum += v * v;
  const norm = Math.sqrt(sum);
  return norm > 0 && Number.isFinite(norm) ? values.map((v) => v / norm) : values;
}
