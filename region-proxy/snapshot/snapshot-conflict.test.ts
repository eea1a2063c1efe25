/**
 * One version with two contents (the control plane's database restored from a backup hands a version
 * number out again): a snapshot of the held version with other bytes is a conflict, logged once, never
 * taken as a confirmation, neither as a 200 nor as the 304s that follow; a higher version ends it.
 */
import { afterAll, expect, test } from "bun:test";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { loopFixture } from "./loop-fixture.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

test("the held version served with other bytes is a conflict: not confirmed, by 200 or 304, until a higher version", async () => {
  const f = await loopFixture(dirs.make("conflict-"));
  const held = f.current.get()!.jws;
  await Bun.sleep(5); // another issuedAt: the same version, other bytes
  const other = await f.sign(1);
  expect(other).not.toBe(held);
  let confirmed = 0;
  const confirm = f.current.confirm.bind(f.current);
  f.current.confirm = (now?: number) => (confirmed++, confirm(now));

  let answer: () => Response = () => new Response(other, { headers: { etag: '"1"' } });
  const seen: (string | null)[] = [];
  const server = Bun.serve({ port: 0, fetch: (request) => (seen.push(request.headers.get("if-none-match")), answer()) });
  const loop = f.start(server);
  try {
    await loop.pollOnce();
    expect(f.current.get()!.jws).toBe(held);
    expect(confirmed).toBe(0);
    expect(f.logs.filter((l) => l.startsWith("snapshot conflict: ")).length).toBe(1);

    answer = () => new Response(null, { status: 304, headers: { etag: '"1"' } });
    await loop.pollOnce();
    await loop.pollOnce();
    expect(confirmed).toBe(0);
    expect(f.logs.filter((l) => l.startsWith("snapshot conflict: ")).length).toBe(1);

    const v2 = await f.sign(2);
    answer = () => new Response(v2, { headers: { etag: '"2"' } });
    await loop.pollOnce();
    expect(f.current.version()).toBe(2);
    answer = () => new Response(null, { status: 304, headers: { etag: '"2"' } });
    await loop.pollOnce();
    expect(confirmed).toBe(1);
    expect(seen.at(-1)).toBe('"2"');
  } finally {
    await f.close();
    server.stop(true);
  }
});

test("the held version served again with the same bytes is confirmed", async () => {
  const f = await loopFixture(dirs.make("same-"));
  const held = f.current.get()!.jws;
  let confirmed = 0;
  const confirm = f.current.confirm.bind(f.current);
  f.current.confirm = (now?: number) => (confirmed++, confirm(now));
  const server = Bun.serve({ port: 0, fetch: () => new Response(held, { headers: { etag: '"1"' } }) });
  const loop = f.start(server);
  try {
    await loop.pollOnce();
    expect(confirmed).toBe(1);
    expect(f.logs.some((l) => l.startsWith("snapshot conflict: "))).toBe(false);
  } finally {
    await f.close();
    server.stop(true);
  }
});
