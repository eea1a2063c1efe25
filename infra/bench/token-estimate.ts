/**
 * What the limits step's prompt estimate costs the request thread, by prompt size: a text seen for the
 * first time (tokenized with the BPE) against the same text again in a later request (its own parsed
 * copy, as every request has: the count comes from memory). Only keys with a TPM limit or a budget pay
 * for it, and only for OpenAI-family models (others use characters / 4).
 *
 *   npx bun infra/bench/token-estimate.ts
 */
import { estimatePromptTokens, preloadTokenizers } from "../../region-proxy/limits/estimate-prompt-tokens.ts";

preloadTokenizers();
const SENTENCE = "Platform teams route every request through one gateway, which counts tokens before the call so that rate limits and budgets hold. ";
const MODEL = "gpt-4o-mini";

/** A request body as a client sends it, with a user message of `chars` characters made unique by `seed`. */
function body(chars: number, seed: number): string {
  const text = `${seed} ${SENTENCE.repeat(Math.ceil(chars / SENTENCE.length))}`.slice(0, chars);
  return JSON.stringify({ model: MODEL, messages: [{ role: "system", content: "You are a helpful assistant." }, { role: "user", content: text }] });
}

/** Microseconds per estimate over `bodies`, each parsed first (parsing not counted), as a request would be. */
function perEstimate(bodies: string[]): number {
  let spent = 0;
  for (const raw of bodies) {
    const request = JSON.parse(raw);
    const start = performance.now();
    estimatePromptTokens(request, MODEL);
    spent += performance.now() - start;
  }
  return (spent * 1000) / bodies.length;
}

console.log(`prompt estimate for ${MODEL}, us per request (first sight: tokenized; repeat: the same text in a later request)`);
console.log("  chars    first sight   repeat");
for (const chars of [100, 1_000, 4_000, 16_000]) {
  const n = chars >= 4_000 ? 300 : 2_000;
  perEstimate(Array.from({ length: 200 }, (_, i) => body(chars, -i - 1))); // warm-up
  const first = perEstimate(Array.from({ length: n }, (_, i) => body(chars, i)));
  const repeat = perEstimate(Array.from({ length: n }, () => body(chars, 0)));
  console.log(`  ${String(chars).padStart(6)}   ${first.toFixed(1).padStart(9)}   ${repeat.toFixed(1).padStart(7)}`);
}
