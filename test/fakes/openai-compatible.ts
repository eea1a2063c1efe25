/**
 * What the OpenAI and Azure OpenAI fakes share besides reading a chat request
 * (openai-chat-request.ts): Azure serves OpenAI's wire formats, so both refuse a parameter in OpenAI's
 * words and build an embeddings list the same way; they differ in paths, keys, error JSON around the
 * words, ids and Azure's content-filter annotations.
 */
/** A 400 in OpenAI's words (Azure answers the same for OpenAI's parameters); each fake renders it as its error JSON. */
export class Refusal {
  constructor(
    readonly message: string,
    readonly param: string | null,
    readonly code: string | null,
  ) {}
}

/** How OpenAI's validation names a JSON value's type: "Invalid type for 'x': expected …, but got a string instead." */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a decimal";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** A deterministic vector from the text, so equal inputs embed equally and different ones mostly not. */
function vector(text: string, dimensions: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < dimensions; i++) out.push(Math.sin(text.length + i * 0.7 + (text.charCodeAt(i % Math.max(1, text.length)) || 0)) / Math.sqrt(dimensions));
  return out;
}

/** The `data` of an embeddings list: floats, or base64 of little-endian float32 (`encoding_format: "base64"`). */
export function embeddingData(inputs: string[], dimensions: number, base64: boolean): { object: "embedding"; index: number; embedding: number[] | string }[] {
  return inputs.map((text, index) => {
    const values = vector(text, dimensions);
    return { object: "embedding", index, embedding: base64 ? Buffer.from(new Float32Array(values).buffer).toString("base64") : values };
  });
}

/**
 * The largest `dimensions` a model takes: text-embedding-3-large 3072, text-embedding-3-small 1536
 * (https://platform.openai.com/docs/guides/embeddings#how-to-get-embeddings); text-embedding-ada-002
 * takes none ("Only supported in text-embedding-3 and later models",
 * https://platform.openai.com/docs/api-reference/embeddings/create#embeddings-create-dimensions).
 * Any other name (the tests' own, like text-embedding-fake) is held to -small's 1536.
 */
export function maxDimensions(model: string): number | null {
  if (model.includes("ada-002")) return null;
  return model.includes("text-embedding-3-large") ? 3072 : 1536;
}

/** `dimensions` as the model allows it; null and absent are "not given" (the model's default, `fallback` here). */
export function readDimensions(value: unknown, model: string, fallback: number): number | Refusal {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) return new Refusal(`Invalid type for 'dimensions': expected an integer, but got ${typeName(value)} instead.`, "dimensions", "invalid_type");
  const max = maxDimensions(model);
  if (max === null) return new Refusal("This model does not support specifying dimensions.", "dimensions", null);
  if (value < 1) return new Refusal(`Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got ${value} instead.`, "dimensions", "integer_below_min_value");
  if (value > max) return new Refusal(`Invalid 'dimensions': integer above maximum value. Expected a value <= ${max}, but got ${value} instead.`, "dimensions", "integer_above_max_value");
  return value;
}
