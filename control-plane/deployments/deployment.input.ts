import { Field, InputType } from "type-graphql";

@InputType()
export class CreateDeploymentInput {
  @Field(() => String) provider: string;
  @Field(() => String) baseUrl: string;
  @Field(() => String) model: string;
  @Field(() => String) region: string;
  @Field(() => String) credentialRef: string;
  /** e.g. "eu", "us" */
  @Field(() => String, { nullable: true }) jurisdiction?: string | null;
  /** e.g. ["baa"] */
  @Field(() => [String], { nullable: true }) flags?: string[] | null;
}
