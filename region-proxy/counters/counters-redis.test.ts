/**
 * A write refused by a replica reaches the client in four forms: Redis 7 answers READONLY first, for a
 * plain command and for a script; Redis ≤ 6 (ElastiCache 6.x) and Dragonfly wrap it inside the
 * script's error as "-READONLY" (spring-projects/spring-data-redis#3042, dragonflydb/dragonfly#1391).
 * Every write the counters, the breaker and the leases send is a script, so each form must replace the
 * connection and count as an outage, not as an error about one key.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ReplyError, type Redis } from "ioredis";
import { createCountersRedis, reconnectOnReadOnly } from "./counters-redis.ts";
import { isKeyError } from "./redis-key-error.ts";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";

const READ_ONLY_FORMS = {
  "Redis 7, a command": "READONLY You can't write against a read only replica.",
  "Redis 7, a script": "READONLY You can't write against a read only replica. script: 6b818461879b7ea953a81ab9ad7aaeca1590b7ab, on @user_script:1.",
  "Redis 6, a script": "ERR Error running script (call to f_1028a5dba704e1d8a01fd96efeba25bb78f62df2): @user_script:4: @user_script: 4: -READONLY You can't write against a read only replica.",
  "Dragonfly, a script": "ERR Error running script (call to d8f2fad9f8e86a53d2a6ebd960b33c4972cacc37): @user_script:2: -READONLY You can't write against a read only replica.",
};

test("every form of READONLY replaces the connection and is an outage", () => {
  for (const [form, message] of Object.entries(READ_ONLY_FORMS)) {
    expect({ form, reconnect: reconnectOnReadOnly(new ReplyError(message)) }).toEqual({ form, reconnect: 1 });
    expect({ form, keyError: isKeyError(new ReplyError(message)) }).toEqual({ form, keyError: false });
  }
});

test("READONLY inside another word, or in lower case, is not READONLY", () => {
  for (const message of [
    "WRONGTYPE budget key gw:{bg}:bg:h:2026-11-25|feature:ten_1:readonly holds string",
    "WRONGTYPE budget key gw:{bg}:bg:h:2026-11-25|feature:ten_1:NOTREADONLY holds string",
    "WRONGTYPE budget key gw:{bg}:bg:h:2026-11-25|feature:ten_1:READONLY_X holds string",
    "ERR unknown command 'READONLYX'",
    "ERR Error running script (call to f_1): @user_script:1: user_script:1: Script attempted to access nonexistent global variable 'readonly'",
  ]) {
    expect({ message, reconnect: reconnectOnReadOnly(new ReplyError(message)) }).toEqual({ message, reconnect: false });
  }
});

let testRedis: TestRedis;
let counters: Redis;
beforeAll(async () => {
  testRedis = await createTestRedis();
});
afterAll(async () => {
  counters?.disconnect();
  await testRedis?.cleanup();
});

test("a script error carrying a wrapped READONLY (Redis 6, Dragonfly) replaces the connection", async () => {
  counters = createCountersRedis(testRedis.url, { commandTimeoutMs: 500 });
  if (counters.status !== "ready") await new Promise((resolve) => counters.once("ready", resolve));
  const before = await counters.client("ID");
  // The reply a Redis 6 replica gives a script's write, sent by a real server (this one is a primary).
  const refused = await counters.eval("return redis.error_reply(ARGV[1])", 0, READ_ONLY_FORMS["Redis 6, a script"]).catch((error: Error) => error);
  expect((refused as Error).message).toBe(READ_ONLY_FORMS["Redis 6, a script"]);
  const deadline = Date.now() + 3_000;
  let after = before;
  while (after === before && Date.now() < deadline) {
    await Bun.sleep(50);
    after = counters.status === "ready" ? await counters.client("ID").catch(() => before) : before;
  }
  expect(after).not.toBe(before);
});
