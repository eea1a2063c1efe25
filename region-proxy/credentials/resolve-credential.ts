/**
 * Resolves a deployment's `credentialRef` locally: `env:NAME` from the configured environment,
 * `file:/path` read once and cached (trailing newline trimmed). The snapshot never holds a credential,
 * and neither the credential nor its value is ever logged; a missing one only names the ref.
 *
 * @example const resolve = createCredentialResolver({ OPENAI_KEY: "sk-..." }); resolve("env:OPENAI_KEY")
 */
import { readFileSync } from "node:fs";

export type CredentialResult = { ok: true; credential: string } | { ok: false; reason: string };
export type CredentialResolver = (ref: string) => CredentialResult;

export function createCredentialResolver(env: Record<string, string | undefined>): CredentialResolver {
  const fileCache = new Map<string, CredentialResult>();
  return (ref) => {
    if (ref.startsWith("env:")) {
      const value = env[ref.slice(4)];
      return value ? { ok: true, credential: value } : { ok: false, reason: `credential ${ref} is not set` };
    }
    if (ref.startsWith("file:")) {
      const cached = fileCache.get(ref);
      if (cached) return cached;
      let result: CredentialResult;
      try {
        const value = readFileSync(ref.slice(5), "utf8").trim();
        result = value ? { ok: true, credential: value } : { ok: false, reason: `credential ${ref} is empty` };
      } catch {
        result = { ok: false, reason: `credential ${ref} cannot be read` };
      }
      // Only successes are cached, so a file put in place later is picked up.
      if (result.ok) fileCache.set(ref, result);
      return result;
    }
    return { ok: false, reason: `credential reference scheme is not supported (expected env: or file:)` };
  };
}
