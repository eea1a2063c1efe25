/**
 * The Gemini fake's thought signatures, as Gemini 3 handles them
 * (https://ai.google.dev/gemini-api/docs/thought-signatures): each function call it answers is signed
 * with a fresh opaque value, and a request replaying model turns must carry a signature on the first
 * functionCall part of each (else Google's 400 "Function call is missing a thought_signature…"), and
 * every signature it carries must be one this fake issued or Google's bypass value
 * `skip_thought_signature_validator` (else Google's 400 "Corrupted thought signature.").
 *
 * @example const s = thoughtSignatures(); s.check([{ role: "model", parts: [{ functionCall: { name: "f" }, thoughtSignature: s.issue() }] }]) // null
 */
import type { Content } from "./gemini-request.ts";

const BYPASS = "skip_thought_signature_validator";

export interface ThoughtSignatures {
  /** A new signature for one function call, remembered as issued. */
  issue(): string;
  /** Why Gemini 3 would refuse these contents' signatures (the 400's message), or null. */
  check(contents: Content[]): string | null;
}

export function thoughtSignatures(): ThoughtSignatures {
  const issued = new Set<string>();
  return {
    issue() {
      const signature = Buffer.from(crypto.getRandomValues(new Uint8Array(36))).toString("base64");
      issued.add(signature);
      return signature;
    },
    check(contents) {
      for (const [i, c] of contents.entries()) {
        if (c.role !== "model") continue;
        const first = c.parts.find((p) => p.functionCall);
        if (first && typeof first.thoughtSignature !== "string") {
          return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${String((first.functionCall as { name?: unknown }).name)}\` , position ${i + 1}.`;
        }
        for (const part of c.parts) {
          const signature = part.thoughtSignature;
          if (typeof signature === "string" && signature !== BYPASS && !issued.has(signature)) return "Corrupted thought signature.";
        }
      }
      return null;
    },
  };
}
