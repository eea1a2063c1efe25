import { Field, ID, Int, ObjectType } from "type-graphql";
import { DateTimeResolver, JSONResolver } from "graphql-scalars";

@ObjectType()
export class AuditEntry {
  @Field(() => ID) id: string;
  @Field(() => DateTimeResolver) at: Date;
  /** The admin token id that made the change. */
  @Field(() => String) actor: string;
  @Field(() => String) action: string;
  @Field(() => String) target: string;
  @Field(() => JSONResolver, { nullable: true }) before: unknown;
  @Field(() => JSONResolver, { nullable: true }) after: unknown;
  /** The caller's address: the socket's, or x-forwarded-for when the control plane is told to trust it. */
  @Field(() => String, { nullable: true }) clientAddress: string | null;
  /** True for kill switches, which bypass approval. */
  @Field(() => Boolean) breakGlass: boolean;
  /** The issued token (jti) the act was done with; null for the bootstrap token and rows from before it was recorded. */
  @Field(() => String, { nullable: true }) tokenId: string | null;
  /** Who issued that token, when not the actor: an admin acting with a token it issued in the actor's name. */
  @Field(() => String, { nullable: true }) issuedBy: string | null;
  @Field(() => String) prevHash: string;
  @Field(() => String) hash: string;
}

@ObjectType()
export class AuditChainVerdict {
  @Field(() => Boolean) ok: boolean;
  /** The id of the first row whose hash or link does not check out; null when the chain is intact. */
  @Field(() => Int, { nullable: true }) brokenAt: number | null;
  @Field(() => Int) checked: number;
  /**
   * How many of the rows checked are unkeyed (`sha256`). Only a database from before the audit key has
   * any: on one a keyed control plane wrote from the start, unkeyed rows mean it was rewritten without the
   * key (a downgrade reads exactly like such a database); a monitor alerts on them.
   */
  @Field(() => Int) unkeyedRows: number;
  /** The id of the first keyed row checked (where keyed hashing begins); null when none is. A monitor alerts when it moves. */
  @Field(() => Int, { nullable: true }) keyedFrom: number | null;
}

@ObjectType()
export class AuditConnection {
  @Field(() => [AuditEntry]) items: AuditEntry[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}
