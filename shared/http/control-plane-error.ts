/**
 * Reads an error answer's body (at most 4 KB) as the control plane writes it on its internal
 * endpoints, `{ "error": { "message", "code" } }` (control-plane/http/json-error.ts): `error` is that,
 * or null for any other body (an ingress's or a load balancer's page, a body too large or cut off);
 * `start` is the body's first 200 characters, for a log line.
 *
 * @example const { error } = await readControlPlaneError(response); if (error?.code === "not_found") …
 */
import { readBounded } from "./read-bounded.ts";

const MAX_ERROR_BYTES = 4096;

export interface ControlPlaneErrorBody {
  error: { code: string; message: string } | null;
  start: string;
}

export async function readControlPlaneError(response: Response): Promise<ControlPlaneErrorBody> {
  const bytes = await readBounded(response.body, MAX_ERROR_BYTES);
  if (typeof bytes === "string") return { error: null, start: `(a body ${bytes === "too_large" ? `over ${MAX_ERROR_BYTES} bytes` : "cut off"})` };
  const text = new TextDecoder().decode(bytes);
  let error: { code?: unknown; message?: unknown } | undefined;
  try {
    error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  } catch {}
  const found = typeof error?.code === "string" ? { code: error.code, message: typeof error.message === "string" ? error.message : "" } : null;
  return { error: found, start: text.slice(0, 200) };
}
