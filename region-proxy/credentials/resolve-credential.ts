/**
 * Resolves a deployment's `credentialRef` locally: `env:NAME` from the configured credential variables,
 * `file:path` from a file inside the credentials directory, read once and cached (trailing newline
 * trimmed). The snapshot never holds a credential, and neither the credential nor its value is ever
 * logged; a missing one only names the ref.
 *
 * A credentialRef is written by people with admin rights on the control plane and the proxy sends the
 * credential to the deployment's baseUrl, so the ref must not reach the proxy's own secrets: the caller
 * passes only the vendor variables (see `credentialVariables`), and `file:` refs resolve only inside
 * `filesDir` (after resolving symlinks); with no `filesDir`, every `file:` ref is refused.
 *
 * @example const resolve = createCredentialResolver({ GW_CRED_OPENAI: "sk-..." }); resolve("env:GW_CRED_OPENAI")
 */
import { readFileSync, realpathSync } from "node:fs";
import { isAbsolute, relative, resolve as resolvePath, sep } from "node:path";

export type CredentialResult = { ok: true; credential: string } | { ok: false; reason: string };
export type CredentialResolver = (ref: string) => CredentialResult;

export interface CredentialResolverOptions {
  /** The only directory `file:` refs may read from (relative refs are relative to it); unset = refused. */
  filesDir?: string | null;
}

export function createCredentialResolver(env: Record<string, string | undefined>, options: CredentialResolverOptions = {}): CredentialResolver {
  const fileCache = new Map<string, CredentialResult>();
  return (ref) => {
    if (ref.startsWith("env:")) {
      const name = ref.slice(4);
      const value = Object.hasOwn(env, name) ? env[name] : undefined;
      return value ? { ok: true, credential: value } : { ok: false, reason: `credential ${ref} is not set` };
    }
    if (ref.startsWith("file:")) {
      const cached = fileCache.get(ref);
      if (cached) return cached;
      const result = readCredentialFile(ref, options.filesDir);
      // Only successes are cached, so a file put in place later is picked up.
      if (result.ok) fileCache.set(ref, result);
      return result;
    }
    return { ok: false, reason: `credential reference scheme is not supported (expected env: or file:)` };
  };
}

function readCredentialFile(ref: string, filesDir: string | null | undefined): CredentialResult {
  if (!filesDir) return { ok: false, reason: `credential ${ref} refused: file credentials need CREDENTIALS_DIR` };
  try {
    const root = realpathSync(filesDir);
    // realpath follows symlinks, so a link inside the directory pointing out of it is refused too.
    const target = realpathSync(resolvePath(root, ref.slice(5)));
    const rel = relative(root, target);
    if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return { ok: false, reason: `credential ${ref} refused: outside CREDENTIALS_DIR` };
    const value = readFileSync(target, "utf8").trim();
    return value ? { ok: true, credential: value } : { ok: false, reason: `credential ${ref} is empty` };
  } catch {
    return { ok: false, reason: `credential ${ref} cannot be read` };
  }
}
