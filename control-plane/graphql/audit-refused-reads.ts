/**
 * Apollo plugin: when an operation answers, its refused reads, gathered by the authorize middleware,
 * are written to the audit log as one row, or held for the principal's summary row
 * (audit/refused-read-throttle.ts). Each operation of a batch has its own context, so its own row.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { operationAnswered, operationStarted } from "../audit/refused-read-throttle.ts";
import type { GraphQLContext } from "./context.ts";

export function auditRefusedReadsPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ contextValue }) {
      // A graceful stop waits for the operation's answer, and its row, before its last write.
      operationStarted(contextValue);
      return {
        async willSendResponse({ contextValue }) {
          await operationAnswered(contextValue);
        },
      };
    },
  };
}
