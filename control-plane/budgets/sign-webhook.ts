/**
 * The budget webhook's signature (BUDGET_WEBHOOK_SECRET): `x-gateway-timestamp` is the unix time in
 * seconds the POST was sent, `x-gateway-signature` is `sha256=` + hex HMAC-SHA256(secret, timestamp +
 * "." + body), over the exact bytes sent. A receiver recomputes it, compares in constant time, and
 * refuses a timestamp older than a few minutes, so a forged alert fails the HMAC and a captured one
 * cannot be replayed later (the timestamp is inside the signed text). Each attempt is signed afresh.
 *
 * @example webhookSignatureHeaders(secret, body, new Date()) // { "x-gateway-timestamp": "1767225600", "x-gateway-signature": "sha256=9f2c…" }
 */
import { createHmac } from "node:crypto";

export function webhookSignatureHeaders(secret: string, body: string, now: Date): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const hmac = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return { "x-gateway-timestamp": timestamp, "x-gateway-signature": `sha256=${hmac}` };
}
