/** The `extensions.code` values the control plane's GraphQL errors carry. Stable: tools branch on them. */
export const GraphQLCode = {
  BAD_USER_INPUT: "BAD_USER_INPUT",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  SELF_APPROVAL: "SELF_APPROVAL",
  /** A report (spend) ran past the report statement timeout (REPORT_STATEMENT_TIMEOUT_MS): ask for less. */
  REPORT_TIMEOUT: "REPORT_TIMEOUT",
  /**
   * A configuration change or audited action waited past its bound for a lock (another change, a
   * session holding a row it needs: audit/config-lock.ts); nothing was changed: retry.
   */
  BUSY: "BUSY",
  /** The database cannot be reached (or is starting, stopping, out of connections): retry (HTTP 503 with Retry-After when before Apollo). */
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;

export type GraphQLCode = (typeof GraphQLCode)[keyof typeof GraphQLCode];
