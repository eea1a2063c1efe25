/**
 * A value the caller sent, as a message or an audit row may quote it. Refusals are audited in the
 * append-only log that every viewer reads, so what they quote must be short and never a secret: an
 * admin who pastes a key's secret where its id belongs (revokeKey) must not leave it there for good.
 */
import { GATEWAY_KEY_PREFIX } from "../../shared/ids.ts";
import { truncateText } from "../audit/audit-text.ts";

/** How many characters of a value a message quotes; ids and names are far shorter. */
export const MAX_QUOTED_VALUE = 100;

const MASKED = "… (secret-shaped: not quoted)";
const SECRET_CHARS = "[A-Za-z0-9._~+/=-]*";
/**
 * Secrets by their shape, and what of each is kept: ours (shared/ids.ts: gateway keys, admin and region
 * tokens `newToken`; admin JWTs, auth/jwt.ts) and vendors' (OpenAI and Anthropic `sk-`, Gemini `AIza`,
 * Azure's 32 hex digits). Each starts a word: "task-list" is no `sk-` key.
 */
const SECRET_SHAPES = new RegExp(
  `(?<![A-Za-z0-9_])(?:(${GATEWAY_KEY_PREFIX}|admtok_|regtok_|sk-|eyJ|AIza)${SECRET_CHARS}|[0-9A-Fa-f]{32}(?![A-Za-z0-9_]))`,
  "g",
);

/**
 * The text with every secret-shaped word replaced by its prefix and a note.
 *
 * @example maskSecrets("key gwk_abc… not found") // "key gwk_… (secret-shaped: not quoted) not found"
 */
export function maskSecrets(text: string): string {
  return text.replace(SECRET_SHAPES, (_, prefix: string | undefined) => `${prefix ?? ""}${MASKED}`);
}

/**
 * The text as an append-only row keeps it: masked (maskSecrets), then cut to `max` characters. Masked
 * after any earlier cut, so cut again: a masked word is longer than the word (`sk-` becomes 32 characters).
 *
 * @example maskedText("sk- ".repeat(250), 1000).length // 1000 (8,249 masked)
 */
export function maskedText(text: string, max: number): string {
  return truncateText(maskSecrets(text), max);
}

/**
 * The value masked (maskSecrets) and cut to MAX_QUOTED_VALUE characters, saying how long it was.
 *
 * @example quotedValue("x".repeat(900_000)) // "xxx…x… (900000 characters)"
 */
export function quotedValue(value: string): string {
  const masked = maskSecrets(value);
  return masked.length <= MAX_QUOTED_VALUE ? masked : `${truncateText(masked, MAX_QUOTED_VALUE)}… (${value.length} characters)`;
}
