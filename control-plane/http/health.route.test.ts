/**
 * /health asks the database: 200 {"ok":true} while it answers, 503 {"ok":false,...} while it refuses
 * connections or does not answer within the bound, so a load balancer or readiness probe takes the
 * replica out (it answered a constant 200 through a database outage).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { createServer, type Server, type Socket } from "node:net";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { freePort } from "../../test/support/ports.ts";
import { handleHealth } from "./health.route.ts";

let db: TestDatabase;
/** Accepts connections and never answers (a black-holed database). */
let silent: Server;
const held: Socket[] = [];
const pools: postgres.Sql[] = [];
const pool = (url: string) => {
  const sql = postgres(url, { max: 1, connect_timeout: 30, onnotice: () => {} });
  pools.push(sql);
  return sql;
};

beforeAll(async () => {
  db = await createTestDatabase();
  silent = createServer((socket) => void held.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
});
afterAll(async () => {
  await Promise.all(pools.map((sql) => sql.end({ timeout: 0 })));
  for (const socket of held) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  await db.drop();
});

const answerOf = async (response: Response) => ({ status: response.status, body: await response.json(), retryAfter: response.headers.get("retry-after") });

test("a database that answers: 200 ok", async () => {
  expect(await answerOf(await handleHealth(pool(db.url)))).toEqual({ status: 200, body: { ok: true }, retryAfter: null });
});

test("a database refusing connections: 503, unreachable, without the error's text", async () => {
  const down = new URL(db.url);
  down.port = String(freePort());
  expect(await answerOf(await handleHealth(pool(down.toString())))).toEqual({ status: 503, body: { ok: false, database: "unreachable" }, retryAfter: "5" });
});

test("a database that does not answer: 503 timeout once the bound passes", async () => {
  const blackHole = new URL(db.url);
  blackHole.port = String((silent.address() as { port: number }).port);
  const started = Date.now();
  expect(await answerOf(await handleHealth(pool(blackHole.toString()), 200))).toEqual({ status: 503, body: { ok: false, database: "timeout" }, retryAfter: "5" });
  expect(Date.now() - started).toBeLessThan(2000);
});
