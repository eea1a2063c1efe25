/**
 * Why a configured ADMIN_TOKEN could never authenticate, or null when it can. It becomes the only
 * bootstrap token at start (installConfiguredToken revokes the previous one), so a value no request can
 * present would lock the operator out: bearerToken reads 1-512 printable ASCII characters without
 * whitespace, and authenticate sends a token with a '.' down the admin JWT path, never to admin_tokens.
 * The message never repeats the value (a secret).
 *
 * @example adminTokenProblem("admtok_from_a_k8s_secret_0123456789\n") // "contains whitespace (a trailing newline from a file?)"
 */
export const MIN_ADMIN_TOKEN_LENGTH = 16;
/** The longest bearer token the control plane reads (control-plane/http/region-auth.ts). */
export const MAX_ADMIN_TOKEN_LENGTH = 512;

export function adminTokenProblem(token: string): string | null {
  if (/\s$/.test(token) && !/\s/.test(token.trimEnd())) return "contains whitespace (a trailing newline from a file?); no request can present it";
  if (/\s/.test(token)) return "contains whitespace; no request can present it";
  if (token.includes(".")) return "contains '.', which marks an admin JWT: such a token is never checked against the bootstrap token";
  if (!/^[\x21-\x7e]*$/.test(token)) return "must be printable ASCII characters only";
  if (token.length < MIN_ADMIN_TOKEN_LENGTH) return `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters (a long random string), got ${token.length}`;
  if (token.length > MAX_ADMIN_TOKEN_LENGTH) return `must be at most ${MAX_ADMIN_TOKEN_LENGTH} characters, got ${token.length}`;
  return null;
}
