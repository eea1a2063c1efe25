/**
 * A vendor's own error text reaches the caller (a 400 says what was wrong with the request; a stream
 * that broke says how), and a vendor may quote what it was sent, the gateway's credential included.
 * Every occurrence of the credential, in every text field of the error (message, code, param), is cut
 * out before the error leaves the attempt.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";

export const REDACTED = "[redacted]";

/** Cuts a deployment's credential out of an error that may carry vendor text. */
export type Redactor = (error: GatewayError) => GatewayError;

/** A vendor's raw text with every occurrence of the credential cut out. */
export function textWithoutCredential(text: string, credential: string): string {
  return credential === "" || !text.includes(credential) ? text : text.split(credential).join(REDACTED);
}

export function withoutCredential(error: GatewayError, credential: string): GatewayError {
  if (credential === "") return error;
  let redacted: Record<string, unknown> | null = null;
  for (const [field, value] of Object.entries(error)) {
    if (typeof value !== "string" || !value.includes(credential)) continue;
    redacted ??= { ...error };
    redacted[field] = textWithoutCredential(value, credential);
  }
  return (redacted ?? error) as GatewayError;
}
