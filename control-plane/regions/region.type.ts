import { Field, Int, ObjectType } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";

@ObjectType()
export class ProxyInstance {
  @Field(() => String) id: string;
  @Field(() => String) region: string;
  @Field(() => Int) snapshotVersion: number;
  @Field(() => DateTimeResolver) lastSeenAt: Date;
}

@ObjectType()
export class Region {
  @Field(() => String) name: string;
  /** The region's public endpoint, or null when not set. */
  @Field(() => String, { nullable: true }) publicUrl: string | null;
  @Field(() => DateTimeResolver) createdAt: Date;
  /** The latest snapshot version published for this region, or null before the first. */
  @Field(() => Int, { nullable: true }) snapshotVersion: number | null;
  @Field(() => [ProxyInstance]) proxies: ProxyInstance[];
}

@ObjectType()
export class CreatedRegion {
  @Field(() => Region) region: Region;
  /** The region's bearer token for its proxies; shown once, stored hashed. */
  @Field(() => String) token: string;
}

@ObjectType()
export class RotatedRegionToken {
  @Field(() => Region) region: Region;
  /** The region's new bearer token for its proxies; shown once, stored hashed. */
  @Field(() => String) token: string;
  /** Until when the replaced token is still accepted (the grace), or null when it was revoked at once. */
  @Field(() => DateTimeResolver, { nullable: true }) previousTokenValidUntil: Date | null;
}

@ObjectType()
export class RegionConnection {
  @Field(() => [Region]) items: Region[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}
