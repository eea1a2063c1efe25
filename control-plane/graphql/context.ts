/** What every resolver receives: the authenticated admin and the wired dependencies. */
import type { Sql } from "../db/client.ts";
import type { SigningKey } from "../../shared/snapshot/sign.ts";

export interface AppDeps {
  sql: Sql;
  signingKey: SigningKey;
  log: (line: string) => void;
}

export interface GraphQLContext {
  /** The admin token id that made the request; recorded in the audit log. */
  actor: string;
  deps: AppDeps;
}
