/**
 * Runs a report's reads on the report pool (AppDeps.reports, db/client.ts), apart from the connections
 * the proxies' endpoints use, in one transaction that starts with `set local statement_timeout`
 * (REPORT_STATEMENT_TIMEOUT_MS): each statement of the report is bounded, and the setting ends with
 * the transaction. Set per transaction rather than as a connection startup parameter, it passes any
 * pooler (PgBouncer refuses untracked startup parameters; in transaction mode a session `set` would
 * leak to other clients). A statement past it (PostgreSQL cancels it: SQLSTATE 57014) answers a
 * REPORT_TIMEOUT GraphQL error naming the limit, never an internal error.
 *
 * @example const rows = await runReport(ctx.deps, (q) => aggregateSpendGroups(q, tenantId, from, to));
 */
import { GraphQLError } from "graphql";
import { GraphQLCode } from "../../shared/errors/graphql-codes.ts";
import type { Tx } from "../db/client.ts";
import type { AppDeps } from "./context.ts";

const QUERY_CANCELED = "57014";

export async function runReport<T>(deps: Pick<AppDeps, "reports" | "reportStatementTimeoutMs">, work: (q: Tx) => Promise<T>): Promise<T> {
  try {
    return (await deps.reports.begin(async (tx) => {
      // set_config(…, true) is `set local` with a bound parameter.
      await tx`select set_config('statement_timeout', ${String(deps.reportStatementTimeoutMs)}, true)`;
      return work(tx);
    })) as T;
  } catch (error) {
    const e = error as { name?: unknown; code?: unknown } | null;
    if (e?.name !== "PostgresError" || e.code !== QUERY_CANCELED) throw error;
    throw new GraphQLError(
      `the report ran longer than the report statement timeout (${deps.reportStatementTimeoutMs} ms, REPORT_STATEMENT_TIMEOUT_MS) and was cancelled: ask for a shorter range or fewer spend fields in one request`,
      { extensions: { code: GraphQLCode.REPORT_TIMEOUT } },
    );
  }
}
