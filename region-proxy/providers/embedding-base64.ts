/**
 * OpenAI's base64 embedding: the vector's little-endian float32 bytes, base64-encoded (what the
 * official SDKs ask for by default and decode). For adapters that get floats from their vendor and must
 * answer base64 (OpenAI-format vendors that ignored encoding_format, Gemini).
 */

/** @example floatsToBase64([0.25, -1]) // "AACAPgAAgL8=" */
export function floatsToBase64(values: number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString("base64");
}

/** Canonical base64: groups of 4 characters, the last one padded. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True when `text` is base64 of one float32 or more: what an SDK can decode into a vector. */
export function isFloat32Base64(text: string): boolean {
  if (text === "" || !BASE64.test(text)) return false;
  return Number.isInteger(float32Count(text));
}

/** How many float32 values a base64 vector holds (one that isFloat32Base64 accepted). */
export function float32Count(text: string): number {
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return ((text.length / 4) * 3 - padding) / 4;
}
