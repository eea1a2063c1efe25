/**
 * Resolves a deployment's `credentialRef` locally: `env:NAME` from the configured credential variables,
 * `file:path` from a file inside the credentials directory, either with surrounding whitespace (a
 * trailing newline) trimmed; a blank value is a missing credential. The snapshot
 * never holds a credential, and neither the credential nor its value is ever logged; a missing one only
 * names the ref.
 *
 * A file is rotated in place (a Kubernetes Secret updated by swapping its `..data` symlink, an operator
 * replacing a revoked key), so its value is kept for at most FILE_CREDENTIAL_RECHECK_MS, and read again
 * at its next use after the vendor refused it (`refused`, told by the walk on a 401/403): the new key is
 * used without a restart, while a request within the bound costs no file system call. A file that is
 * gone or empty when read again is a missing credential, as one never there: the old value is dropped.
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

export interface CredentialResolver {
  (ref: string): CredentialResult;
  /**
   * The vendor refused what `ref` resolved to: a `file:` ref is read again at its next use instead of
   * at the end of its bound (the operator may have replaced it already). Nothing for an `env:` ref,
   * which cannot change while the process runs.
   */
  refused?(ref: string): void;
}

/**
 * How long a `file:` credential, once read, is used without reading the file again. Re-reading a
 * small file costs about what a stat does, and compares what matters (the value, not mtime or inode,
 * which a same-size rewrite within one mtime tick would fool), so the file is simply read again.
 */
export const FILE_CREDENTIAL_RECHECK_MS = 5_000;

export interface CredentialResolverOptions {
  /** The only directory `file:` refs may read from (relative refs are relative to it); unset = refused. */
  filesDir?: string | null;
  /** The clock the bound is measured with, in ms (tests move it by hand); default a monotonic one. */
  now?: () => number;
}

export function createCredentialResolver(env: Record<string, string | undefined>, options: CredentialResolverOptions = {}): CredentialResolver {
  const now = options.now ?? (() => performance.now());
  const fileCache = new Map<string, { result: CredentialResult; readAt: number }>();
  // The variables were read once, at start: an env: ref's answer never changes, so it is worked out at
  // its first use and kept (one per ref the snapshots named), not rebuilt for every call.
  const envResults = new Map<string, CredentialResult>();
  const resolve: CredentialResolver = (ref) => {
    if (ref.startsWith("env:")) {
      let result = envResults.get(ref);
      if (result === undefined) envResults.set(ref, (result = envCredential(env, ref)));
      return result;
    }
    if (ref.startsWith("file:")) {
      const at = now();
      const cached = fileCache.get(ref);
      if (cached && at - cached.readAt < FILE_CREDENTIAL_RECHECK_MS) return cached.result;
      const result = readCredentialFile(ref, options.filesDir);
      // Only successes are cached, so a file put in place later is picked up, and one gone or emptied
      // since it was read fails from now on (its old value is not kept).
      if (result.ok) fileCache.set(ref, { result, readAt: at });
      else fileCache.delete(ref);
      return result;
    }
    return { ok: false, reason: `credential reference scheme is not supported (expected env: or file:)` };
  };
  resolve.refused = (ref) => void fileCache.delete(ref);
  return resolve;
}

function envCredential(env: Record<string, string | undefined>, ref: string): CredentialResult {
  const name = ref.slice(4);
  // Trimmed as a file's value is: a Secret made from a file (`kubectl create secret --from-file`)
  // ends in a newline, which fetch would strip from the header anyway, so what is sent, and what is
  // redacted from a vendor's error, is the same value. A blank one is as missing as an empty one.
  const value = Object.hasOwn(env, name) ? env[name]?.trim() : undefined;
  return value ? { ok: true, credential: value } : { ok: false, reason: `credential ${ref} is not set` };
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
