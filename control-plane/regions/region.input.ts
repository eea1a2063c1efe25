import { Field, InputType } from "type-graphql";

@InputType()
export class CreateRegionInput {
  @Field(() => String) name: string;
  /** The region's public endpoint (http or https), named to tenants this region cannot serve. */
  @Field(() => String, { nullable: true }) publicUrl?: string | null;
}

@InputType()
export class UpdateRegionInput {
  @Field(() => String) name: string;
  /** The new public endpoint; null (or omitted) clears it. */
  @Field(() => String, { nullable: true }) publicUrl?: string | null;
}
