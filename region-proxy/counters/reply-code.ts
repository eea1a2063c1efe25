/**
 * Matches a Redis error reply naming one of `codes`, as the code starts a reply or sits inside a
 * script's error: Redis 7 answers a script's refused write with the code first, Redis ≤ 6 (ElastiCache
 * 6.x) and Dragonfly wrap it ("ERR Error running script (call to f_…): @user_script:4: … -READONLY …",
 * spring-projects/spring-data-redis#3042, dragonflydb/dragonfly#1391), hence a space, ":" or "-"
 * before it. Case-sensitive (Redis sends codes in capitals) and whole words only.
 *
 * @example replyCodeMatcher(["READONLY"]).test("-READONLY You can't write against a read only replica.") // true
 */
export function replyCodeMatcher(codes: readonly string[]): RegExp {
  return new RegExp(String.raw`(^|[\s:-])(${codes.join("|")})\b`);
}
