/** What every resolver receives: the authenticated principal, where the call came from, and the wired dependencies. */
import type { Queryable, Sql } from "../db/client.ts";
import type { SigningKey } from "../../shared/snapshot/sign.ts";
import type { Principal } from "../auth/principal.ts";
import type { AuditActor } from "../audit/audit-actor.ts";
import type { RequestLoaders } from "./loaders.ts";

export interface GovernanceSettings {
  /** Approvals a change request needs before it applies (default 1). */
  requiredApprovals: number;
  /** How long a principal's renewals of its own token may run after someone else issued it one (ADMIN_JWT_MAX_LINEAGE_HOURS; auth/token-lineage.ts). */
  adminJwtMaxLineageHours: number;
}

export interface AppDeps {
  sql: Sql;
  /** The report pool (Database.reports): spend reads over the usage ledger, bounded by the report statement timeout. */
  reports: Sql;
  /** That timeout, for the error a report past it answers. */
  reportStatementTimeoutMs: number;
  signingKey: SigningKey;
  /** HS256 secret for admin JWTs. */
  tokenSecret: Uint8Array;
  governance: GovernanceSettings;
  /** Take x-forwarded-for as the client address (only behind a trusted reverse proxy). */
  trustForwardedFor: boolean;
  /** Accept a plain http:// deployment baseUrl to a public host (ALLOW_PLAINTEXT_VENDOR_URLS; deployments/plaintext-base-url.ts). */
  allowPlaintextVendorUrls: boolean;
  log: (line: string) => void;
}

export interface GraphQLContext {
  /** The principal id that made the request; recorded in the audit log. */
  actor: string;
  principal: Principal;
  /** actor + client address, as written to audit rows. */
  who: AuditActor;
  deps: AppDeps;
  /**
   * The request's bearer token authenticated again on `q` (one statement): the principal with its roles
   * as they are now, or null when the token was revoked or expired, its principal disabled, or (the
   * bootstrap token) ADMIN_TOKEN rotated since. Used under the config lock (auth/still-allowed.ts).
   */
  reauthenticate: (q: Queryable) => Promise<Principal | null>;
  /** Per-request batching loaders and the tenant-scope cache; never shared between requests. */
  loaders: RequestLoaders;
}
