/**
 * A vendor's own error message reaches the caller (a 400 says what was wrong with the request), and a
 * vendor may quote what it was sent, the gateway's credential included. Every occurrence of the
 * credential is cut out before the message leaves the attempt.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";

export const REDACTED = "[redacted]";

export function withoutCredential(error: GatewayError, credential: string): GatewayError {
  if (!("message" in error) || credential === "" || !error.message.includes(credential)) return error;
  return { ...error, message: error.message.split(credential).join(REDACTED) };
}
