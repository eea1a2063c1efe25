import { Field, InputType, Int } from "type-graphql";

/**
 * A deployment's own vendor timeouts in ms; a field left out or null is the proxy's default
 * (VENDOR_FIRST_BYTE_TIMEOUT_MS, VENDOR_TOTAL_TIMEOUT_MS; no connect timeout of its own). In a
 * deployment.update a field left out keeps its value and a null one clears it.
 */
@InputType()
export class DeploymentTimeoutsInput {
  /** Until the vendor's connection is up; 1 to 60000. */
  @Field(() => Int, { nullable: true }) connectMs?: number | null;
  /** Until the vendor's first byte (a stream's first event); 1 to 600000, at most totalMs. */
  @Field(() => Int, { nullable: true }) firstByteMs?: number | null;
  /** One call to this deployment, body or stream included; 1 to 3600000. May exceed the proxy's default. */
  @Field(() => Int, { nullable: true }) totalMs?: number | null;
}

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
  /** e.g. { firstByteMs: 60000 } for a thinking model; absent = the proxy's defaults. */
  @Field(() => DeploymentTimeoutsInput, { nullable: true }) timeouts?: DeploymentTimeoutsInput | null;
}
