import { Field, ID, ObjectType } from "type-graphql";
import { Deployment } from "../deployments/deployment.type.ts";

@ObjectType()
export class Alias {
  @Field(() => String) name: string;
  /** Fallback order across every region; each region's snapshot keeps only its own. */
  @Field(() => [ID]) deploymentIds: string[];
  @Field(() => [Deployment]) deployments: Deployment[];
}

@ObjectType()
export class AliasConnection {
  @Field(() => [Alias]) items: Alias[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}
