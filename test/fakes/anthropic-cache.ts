/**
 * Anthropic's prompt cache as the Anthropic fake models it
 * (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching): `cache_control` on a tool, a
 * system block or a message's content block is a breakpoint; the prompt up to and including the last
 * one (in Anthropic's order: tools, system, messages) is written to the cache the first time the fake
 * sees it and read from it after, reported as cache_creation_input_tokens and cache_read_input_tokens,
 * with input_tokens counting only what follows. A cache_control that is not `{type: "ephemeral"}` with
 * an optional ttl of "5m" or "1h", or more than four of them, is Anthropic's 400 in its words.
 *
 * @example cacheControlProblem({ messages: [{ role: "user", content: [{ type: "text", text: "x", cache_control: { type: "forever" } }] }] })
 *   // "messages.0.content.0.cache_control.type: Input should be 'ephemeral'"
 */
import { countTokens } from "./fake-server.ts";

const MAX_BREAKPOINTS = 4;
const TTLS = ["5m", "1h"];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Every block that may carry cache_control, in the order Anthropic reads the prompt, each with its path. */
function blocksInOrder(body: Record<string, unknown>): [string, Record<string, unknown>][] {
  const out: [string, Record<string, unknown>][] = [];
  const add = (path: string, list: unknown) => {
    if (Array.isArray(list)) list.forEach((block, i) => isObject(block) && out.push([`${path}.${i}`, block]));
  };
  add("tools", body.tools);
  add("system", body.system);
  if (Array.isArray(body.messages)) body.messages.forEach((m, i) => isObject(m) && add(`messages.${i}.content`, m.content));
  return out;
}

/** Anthropic's 400 for a wrong cache_control, or for more breakpoints than it takes, or null. */
export function cacheControlProblem(body: Record<string, unknown>): string | null {
  let found = 0;
  for (const [path, block] of blocksInOrder(body)) {
    const value = block.cache_control;
    if (value == null) continue;
    if (!isObject(value)) return `${path}.cache_control: Input should be a valid dictionary`;
    if (value.type !== "ephemeral") return `${path}.cache_control.type: Input should be 'ephemeral'`;
    if (value.ttl != null && !TTLS.includes(value.ttl as string)) return `${path}.cache_control.ttl: Input should be '5m' or '1h'`;
    const extra = Object.keys(value).find((k) => k !== "type" && k !== "ttl");
    if (extra) return `${path}.cache_control.${extra}: Extra inputs are not permitted`;
    found++;
  }
  return found > MAX_BREAKPOINTS ? `A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${found}.` : null;
}

/**
 * The usage of a prompt of `promptTokens` with this body's breakpoints, against the prefixes `cache`
 * holds (the fake's, kept across requests): null when the body has none.
 */
export function cacheUsage(body: Record<string, unknown>, promptTokens: number, cache: Set<string>): { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number } | null {
  const blocks = blocksInOrder(body).map(([, block]) => block);
  let last = -1;
  blocks.forEach((block, i) => {
    if (block.cache_control != null) last = i;
  });
  if (last < 0) return null;
  const prefix = JSON.stringify([body.model, blocks.slice(0, last + 1)]);
  const cached = Math.min(countTokens(prefix), promptTokens);
  const hit = cache.has(prefix);
  cache.add(prefix);
  return { input_tokens: Math.max(promptTokens - cached, 1), cache_creation_input_tokens: hit ? 0 : cached, cache_read_input_tokens: hit ? cached : 0 };
}
