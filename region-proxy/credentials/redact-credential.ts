/**
 * A vendor's own error text reaches the caller (a 400 says what was wrong with the request; a stream
 * that broke says how), and a vendor may quote what it was sent, the gateway's credential included.
 * Every occurrence of the credential, in every text field of the error (message, code, param), is cut
 * out before the error leaves the attempt; so is the credential's start at the very end of a text (at
 * least MIN_CUT_KEY_CHARS of it), which is what an excerpt cut in the middle of a quoted key leaves.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";

export const REDACTED = "[redacted]";

/** Cuts a deployment's credential out of an error that may carry vendor text. */
export type Redactor = (error: GatewayError) => GatewayError;

/** The shortest start of a credential cut out at the end of a text (shorter ones say nothing of the key). */
export const MIN_CUT_KEY_CHARS = 4;

/**
 * A vendor's raw text with every occurrence of the credential, and its start left at the text's end by a
 * cut, taken out. The credential is cut as given and as sent: a header value goes without its surrounding
 * whitespace (fetch trims it), so a vendor quotes the trimmed key even if the resolver did not trim it.
 * A blank credential (never sent) cuts nothing.
 */
export function textWithoutCredential(text: string, credential: string): string {
  const sent = credential.trim();
  if (sent === "") return text;
  let whole = cutAll(text, credential);
  if (sent !== credential) whole = cutAll(whole, sent);
  return withoutCutCredential(whole, sent);
}

/**
 * The first `chars` characters of an answer's text for a log line, without `secret` (textWithoutCredential:
 * a start of it left at the end by the cut goes too). For answers from whatever sits at a configured URL,
 * where a page may echo the request's Authorization header.
 */
export function redactedExcerpt(text: string, chars: number, secret: string): string {
  return textWithoutCredential(text.slice(0, chars), secret);
}

function cutAll(text: string, credential: string): string {
  return text.includes(credential) ? text.split(credential).join(REDACTED) : text;
}

/** `text` without a start of `credential` (MIN_CUT_KEY_CHARS or more) at its end. */
function withoutCutCredential(text: string, credential: string): string {
  for (let length = Math.min(credential.length - 1, text.length); length >= MIN_CUT_KEY_CHARS; length--) {
    if (text.endsWith(credential.slice(0, length))) return text.slice(0, text.length - length) + REDACTED;
  }
  return text;
}

export function withoutCredential(error: GatewayError, credential: string): GatewayError {
  if (credential.trim() === "") return error;
  let redacted: Record<string, unknown> | null = null;
  for (const [field, value] of Object.entries(error)) {
    if (typeof value !== "string") continue;
    const text = textWithoutCredential(value, credential);
    if (text === value) continue;
    redacted ??= { ...error };
    redacted[field] = text;
  }
  return (redacted ?? error) as GatewayError;
}
