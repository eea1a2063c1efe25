/** The target of a `refused.<field>` audit row: the id a refused mutation aimed at. */
import { storableText } from "../../shared/text/storable-text.ts";
import { maskedText } from "../graphql/quoted-value.ts";

/**
 * The first of the usual id arguments (`id`, `jti`, `principalId`, a kill switch's `target.id` — a
 * provider's name for a provider — and `name`, a region's for rotateRegionToken; then the input's `id`,
 * `tenantId`, `principalId`, `name`, then `toVersion`), or "" when there is none.
 *
 * @example refusalTarget({ input: { tenantId: "ten_1", name: "k" } }) // "ten_1"
 * @example refusalTarget({ target: { kind: "provider", id: "openai" }, reason: "leak" }) // "openai"
 */
export function refusalTarget(args: Record<string, any>): string {
  const input = args.input ?? {};
  const candidate = args.id ?? args.jti ?? args.principalId ?? args.target?.id ?? args.name ?? input.id ?? input.tenantId ?? input.principalId ?? input.name ?? args.toVersion;
  // Cut between code points: half a surrogate pair is stored as U+FFFD and the row's hash no longer
  // matches. NULs and lone surrogates are refused first (badArgumentsIn), and made storable regardless.
  // A secret sent where an id belongs (revokeKey(id: "gwk_…")) is masked: every auditLog reader sees the row.
  return candidate === undefined || candidate === null ? "" : storableText(maskedText(String(candidate), 200));
}
