/** The Apollo server for the admin API: no stack traces, no landing page, errors formatted by code. */
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { GraphQLSchema } from "graphql";
import type { GraphQLContext } from "./context.ts";
import { makeFormatError } from "./errors.ts";
import { auditEarlyRefusalsPlugin } from "./audit-early-refusals.ts";
import { auditRefusedReadsPlugin } from "./audit-refused-reads.ts";
import { queryLimitsPlugin } from "./query-limits.ts";

export async function startApollo(schema: GraphQLSchema, log: (line: string) => void): Promise<ApolloServer<GraphQLContext>> {
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    // The control plane's own SIGINT/SIGTERM handlers stop Apollo with everything else; Apollo's
    // (on outside NODE_ENV=test) would stop it alone and re-raise the signal, killing the process mid-stop.
    stopOnTerminationSignals: false,
    formatError: makeFormatError(log),
    plugins: [ApolloServerPluginLandingPageDisabled(), queryLimitsPlugin(schema), auditEarlyRefusalsPlugin(schema), auditRefusedReadsPlugin()],
  });
  await apollo.start();
  return apollo;
}
