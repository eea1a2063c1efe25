/**
 * A principal's refused reads cannot flood the audit chain: each was an append to the permanent log
 * under the config lock, one per root field (up to 30 per request), unthrottled, so a tenant admin's
 * probing (160 requests: ~4,770 rows) grew the log without bound and held up every admin change. Now
 * one row per operation naming each refused field, per principal at most one a minute, the reads held
 * back written as one summary row at the end of that minute (`refused.reads`, `suppressed`); every
 * refused mutation is still audited.
 */
import { afterEach, beforeAll, expect, setSystemTime, test } from "bun:test";
import { addTenant } from "../testing/add-tenant.ts";
import { flushUntil } from "../testing/flush-until.ts";
import { errorCode, principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import type { AppDeps, GraphQLContext } from "../graphql/context.ts";
import { refusalAudit } from "./refusal-audit.ts";
import {
  flushHeldRefusedReadsNow,
  flushRefusedReads,
  MAX_HELD_ACTORS,
  MAX_SUMMARY_TARGETS,
  noteRefusedRead,
  operationAnswered,
  operationStarted,
  RefusedReadThrottle,
  type RefusedRead,
} from "./refused-read-throttle.ts";

const t = useTestControlPlane();
let teamId: string;
let sql: ReturnType<typeof t.openSql>;
beforeAll(async () => {
  sql = t.openSql();
  const org = await addTenant(t.admin, "org");
  teamId = await addTenant(t.admin, "team", org);
});

afterEach(() => {
  setSystemTime();
});

const rowsBy = async (actor: string) =>
  [...(await sql<{ action: string; target: string | null; after: Record<string, unknown> }[]>`select action, target, after from audit_log where actor = ${actor} order by id`)];
/**
 * The actor's rows once `expected` are in. A refused field's row may land after the answer: `tenant` is
 * non-null, so its first error ends the operation while the field whose row is written still writes it.
 */
async function rowsOnceIn(actor: string, expected: number) {
  for (let waited = 0; waited < 5000; waited += 25) {
    if ((await rowsBy(actor)).length >= expected) break;
    await Bun.sleep(25);
  }
  return rowsBy(actor);
}
/** One operation of 30 aliased root fields, each asking for a tenant the caller does not reach. */
const probe = `{ ${Array.from({ length: 30 }, (_, i) => `p${i}: tenant(id: "ten_nope${i}") { id }`).join(" ")} }`;

/** How many refused reads the actor's rows stand for: each operation row's `refused`, each summary's count. */
const readsIn = (rows: Awaited<ReturnType<typeof rowsBy>>) =>
  rows.reduce((n, r) => n + (r.action === "refused.reads" ? (r.after.suppressed as { count: number }).count : ((r.after.refused as unknown[] | undefined)?.length ?? 0)), 0);

test("a tenant admin's 160 probing requests of 30 refused reads each: one row, then one summary, all 4,800 reads accounted for", async () => {
  const team = await principalWith(t.admin, t.cp.url, "team-admin", [{ role: "tenant_admin", tenantId: teamId }]);
  for (let round = 0; round < 20; round++) await Promise.all(Array.from({ length: 8 }, () => team.client.request(probe).catch(() => {})));
  const rows = await rowsOnceIn(team.id, 1);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ action: "refused.tenant", after: { code: "NOT_FOUND" } });
  expect(rows[0]!.target).toStartWith("ten_nope");
  expect((rows[0]!.after.refused as RefusedRead[])[0]).toEqual({ field: "tenant", target: rows[0]!.target!, code: "NOT_FOUND" });
  // The rest are held for the summary row its minute ends with (here written at once); a field refused
  // after its operation answered (tenant is non-null) joins it too.
  const all = await flushUntil(() => rowsBy(team.id), (all) => readsIn(all) >= 4800);
  expect(readsIn(all)).toBe(4800);
  const summaries = all.filter((r) => r.action === "refused.reads");
  expect(summaries.length).toBeGreaterThanOrEqual(1);
  expect(summaries[0]!.after.suppressed).toMatchObject({ fields: { tenant: expect.any(Number) }, otherTargets: 0 });
  // The 30 distinct ids probed, each named once.
  expect([...(summaries[0]!.after.suppressed as { targets: string[] }).targets].sort()).toEqual(Array.from({ length: 30 }, (_, i) => `ten_nope${i}`).sort());
}, 60_000);

test("a principal with no role: one row for its first refused operation naming both fields, and each refused mutation still audited", async () => {
  const nobody = await principalWith(t.admin, t.cp.url, "nobody", []);
  for (let i = 0; i < 5; i++) expect(await errorCode(nobody.client.request(`{ deployments { items { id } } aliases { items { name } } }`))).toBe("FORBIDDEN");
  expect(await errorCode(nobody.client.request(`mutation { createTenant(input: { name: "x" }) { id } }`))).toBe("FORBIDDEN");
  expect(await errorCode(nobody.client.request(`mutation($id: ID!) { revokeKey(id: $id) { id } }`, { id: "key_nope" }))).toBe("FORBIDDEN");
  const rows = await rowsOnceIn(nobody.id, 3);
  expect(rows.map((r) => r.action)).toEqual(["refused.deployments", "refused.createTenant", "refused.revokeKey"]);
  expect(rows[0]!.after.refused).toEqual([
    { field: "deployments", target: "", code: "FORBIDDEN" },
    { field: "aliases", target: "", code: "FORBIDDEN" },
  ]);
}, 30_000);

test("the throttle is per principal: another tenant admin's first probe is written", async () => {
  const first = await principalWith(t.admin, t.cp.url, "first", [{ role: "tenant_admin", tenantId: teamId }]);
  const second = await principalWith(t.admin, t.cp.url, "second", [{ role: "tenant_admin", tenantId: teamId }]);
  await first.client.request(probe).catch(() => {});
  await second.client.request(probe).catch(() => {});
  expect(await rowsOnceIn(first.id, 1)).toHaveLength(1);
  expect(await rowsOnceIn(second.id, 1)).toHaveLength(1);
}, 30_000);

test("the reads held back are written at the end of the minute as one summary row, counting them by field", async () => {
  const nobody = await principalWith(t.admin, t.cp.url, "nobody-again", []);
  // Refused by role, so each operation's fields are all refused before the answer.
  for (let i = 0; i < 3; i++) await nobody.client.request(`{ deployments { items { id } } aliases { items { name } } }`).catch(() => {});
  await nobody.client.request(`{ aliases { items { name } } }`).catch(() => {});
  expect(await rowsOnceIn(nobody.id, 1)).toHaveLength(1);
  await flushHeldRefusedReadsNow();
  const rows = await rowsBy(nobody.id);
  expect(rows.map((r) => r.action)).toEqual(["refused.deployments", "refused.reads"]);
  expect(rows[1]!.after.suppressed).toMatchObject({ count: 5, fields: { deployments: 2, aliases: 3 }, targets: [], otherTargets: 0 });
  // The summary starts the principal's next minute: a read refused within it is held again.
  await nobody.client.request(`{ aliases { items { name } } }`).catch(() => {});
  expect(await rowsBy(nobody.id)).toHaveLength(2);
}, 30_000);

test("the chain still verifies after the flood", async () => {
  const { verifyAuditChain } = await t.admin.request<any>(`{ verifyAuditChain { ok } }`);
  expect(verifyAuditChain.ok).toBe(true);
}, 30_000);

const read = (field: string, target = ""): RefusedRead => ({ field, target, code: "NOT_FOUND" });
const who = (id: string) => ({ id, clientAddress: null });
const first = { action: "refused.tenant", target: "ten_1", after: { code: "NOT_FOUND" } };

function throttleAt(clock: { now: number }, failing = { writes: 0 }) {
  const written: { who: string; action: string; after: any }[] = [];
  const throttle = new RefusedReadThrottle(
    async (actor, audit) => {
      if (failing.writes > 0) {
        failing.writes--;
        throw new Error("BUSY");
      }
      written.push({ who: actor.id, action: audit.action, after: audit.after });
    },
    () => {},
    () => clock.now,
  );
  return { throttle, written };
}

test("throttle: one row per operation naming each field, per principal one a minute; the rest summed by field with their distinct targets", async () => {
  const clock = { now: 0 };
  const { throttle, written } = throttleAt(clock);
  await throttle.operationEnded(who("prn_a"), [read("tenant", "ten_1"), read("keys", "ten_2")], first);
  expect(written).toEqual([{ who: "prn_a", action: "refused.tenant", after: { code: "NOT_FOUND", refused: [read("tenant", "ten_1"), read("keys", "ten_2")] } }]);
  clock.now = 1;
  await throttle.operationEnded(who("prn_a"), [read("tenant", "ten_3"), read("tenant", "ten_3"), read("spend")], first);
  await throttle.operationEnded(who("prn_b"), [read("keys")], first);
  expect(written.map((w) => w.who)).toEqual(["prn_a", "prn_b"]);
  expect(throttle.heldFor("prn_a")).toMatchObject({ count: 3, fields: { tenant: 2, spend: 1 }, targets: ["ten_3"], otherTargets: 0 });
  await throttle.flush();
  expect(written[2]).toMatchObject({ who: "prn_a", action: "refused.reads", after: { suppressed: { count: 3, fields: { tenant: 2, spend: 1 }, targets: ["ten_3"] } } });
  expect(throttle.heldFor("prn_a")).toBeNull();
});

test("throttle: a summary names the first 50 distinct targets and counts the reads naming others", async () => {
  const clock = { now: 0 };
  const { throttle, written } = throttleAt(clock);
  await throttle.operationEnded(who("prn_a"), [read("tenant", "ten_first")], first);
  throttle.hold(who("prn_a"), Array.from({ length: 60 }, (_, i) => read("tenant", `ten_${i}`)));
  throttle.hold(who("prn_a"), [read("tenant", "ten_0"), read("tenant", "ten_59")]);
  await throttle.flush();
  const suppressed = written[1]!.after.suppressed;
  expect(suppressed.count).toBe(62);
  expect(suppressed.targets).toEqual(Array.from({ length: 50 }, (_, i) => `ten_${i}`));
  expect(suppressed.otherTargets).toBe(11);
});

test("throttle: a row that cannot be written puts its reads back for the next summary", async () => {
  const clock = { now: 0 };
  const failing = { writes: 1 };
  const { throttle, written } = throttleAt(clock, failing);
  // The operation's own row fails: its reads are held.
  await throttle.operationEnded(who("prn_a"), [read("tenant", "ten_1"), read("keys", "ten_2")], first);
  expect(written).toEqual([]);
  expect(throttle.heldFor("prn_a")).toMatchObject({ count: 2, targets: ["ten_1", "ten_2"] });
  // The summary fails too: put back, and merged with what was held since.
  failing.writes = 1;
  await throttle.flush();
  throttle.hold(who("prn_a"), [read("tenant", "ten_3")]);
  expect(throttle.heldFor("prn_a")).toMatchObject({ count: 3, fields: { tenant: 2, keys: 1 }, targets: ["ten_1", "ten_2", "ten_3"] });
  await throttle.flush();
  expect(written).toHaveLength(1);
  expect(written[0]!.after.suppressed).toMatchObject({ count: 3, fields: { tenant: 2, keys: 1 }, targets: ["ten_1", "ten_2", "ten_3"] });
});

test("throttle: a failed summary put back counts each read naming an unlisted target in otherTargets", async () => {
  // Final read fr-cp2: the put-back merge counted each unlisted target once where hold counts each read.
  const clock = { now: 0 };
  let fail!: (error: Error) => void;
  let calls = 0;
  const throttle = new RefusedReadThrottle(
    () => (calls++ === 0 ? new Promise<void>((_, reject) => (fail = reject)) : Promise.resolve()),
    () => {},
    () => clock.now,
  );
  throttle.hold(who("prn_x"), Array.from({ length: MAX_SUMMARY_TARGETS }, (_, i) => read("tenant", `ten_${i}`)));
  const flushing = throttle.flush(); // the summary's write is in flight
  throttle.hold(who("prn_x"), [read("tenant", "ten_extra"), read("tenant", "ten_extra"), read("tenant", "ten_extra")]);
  fail(new Error("BUSY"));
  await flushing;
  expect(throttle.heldFor("prn_x")).toMatchObject({ count: MAX_SUMMARY_TARGETS + 3, otherTargets: 3 });
  await throttle.flush();
});

test("throttle: a summary row per actor (token, its issuer, address), each naming only its own reads", async () => {
  const clock = { now: 0 };
  const written: { who: unknown; after: any }[] = [];
  const throttle = new RefusedReadThrottle(async (actor, audit) => void written.push({ who: actor, after: audit.after }), () => {}, () => clock.now);
  const a = { id: "prn_a", clientAddress: "10.0.0.1", tokenId: "tok_a", issuedBy: null };
  const b = { id: "prn_a", clientAddress: "10.0.0.2", tokenId: "tok_b", issuedBy: "prn_admin" };
  await throttle.operationEnded(a, [read("tenant", "ten_1")], first);
  throttle.hold(b, [read("tenant", "ten_b1"), read("tenant", "ten_b2")]);
  throttle.hold(a, [read("keys", "ten_a1")]);
  throttle.hold({ ...a, clientAddress: "10.0.0.9" }, [read("keys", "ten_a2")]);
  await throttle.flush();
  expect(written.slice(1).map((w) => [w.who, w.after.suppressed.count, w.after.suppressed.targets])).toEqual([
    [b, 2, ["ten_b1", "ten_b2"]],
    [a, 1, ["ten_a1"]],
    [{ ...a, clientAddress: "10.0.0.9" }, 1, ["ten_a2"]],
  ]);
});

test("throttle: past MAX_HELD_ACTORS actors of one principal in a minute, the rest are one row that says it names none of them", async () => {
  const clock = { now: 0 };
  const written: { who: any; after: any }[] = [];
  const throttle = new RefusedReadThrottle(async (actor, audit) => void written.push({ who: actor, after: audit.after }), () => {}, () => clock.now);
  await throttle.operationEnded(who("prn_a"), [read("tenant")], first);
  for (let i = 0; i < MAX_HELD_ACTORS + 5; i++) throttle.hold({ id: "prn_a", clientAddress: `10.0.0.${i}`, tokenId: "tok" }, [read("tenant", `ten_${i}`)]);
  await throttle.flush();
  const summaries = written.slice(1);
  expect(summaries).toHaveLength(MAX_HELD_ACTORS + 1);
  const rest = summaries.at(-1)!;
  expect(rest.who).toEqual({ id: "prn_a", clientAddress: null, tokenId: null, issuedBy: null });
  expect(rest.after).toMatchObject({ suppressed: { count: 5 }, actorsNotNamed: true });
});

test("throttle: reads held or put back after it closed (the stop's last write) are logged as lost, with their targets", async () => {
  const clock = { now: 0 };
  const logs: string[] = [];
  const failing = { writes: 0 };
  const throttle = new RefusedReadThrottle(async () => {
    if (failing.writes-- > 0) throw new Error("BUSY");
  }, (line) => logs.push(line), () => clock.now);
  await throttle.operationEnded(who("prn_a"), [read("tenant", "ten_1")], first);
  throttle.hold(who("prn_a"), [read("tenant", "ten_held")]);
  failing.writes = 1;
  await throttle.close();
  throttle.hold(who("prn_a"), [read("tenant", "ten_late"), read("keys")]);
  const lost = logs.filter((l) => l.includes("lost"));
  expect(lost).toHaveLength(2);
  expect(lost[0]).toStartWith("1 refused read(s) of prn_a");
  expect(lost[0]).toContain(`"targets":["ten_held"]`);
  expect(lost[1]).toStartWith("2 refused read(s) of prn_a");
  expect(lost[1]).toContain(`"fields":{"tenant":1,"keys":1},"targets":["ten_late"]`);
  expect(throttle.heldFor("prn_a")).toBeNull();
});

test("a read refused after a control plane's stop is logged as lost, and the stopped control plane's deps are not kept", async () => {
  // Final read fr-cp2: after the stop's flush a late read made a new throttle in a strong Map by deps,
  // which kept the stopped control plane's deps (its pools, its keys) referenced for good.
  const logs: string[] = [];
  let stopped!: WeakRef<object>;
  await (async () => {
    const deps = { log: (line: string) => logs.push(line) } as unknown as AppDeps;
    stopped = new WeakRef(deps);
    const context = { deps, who: { id: "prn_late", clientAddress: null } } as unknown as GraphQLContext;
    operationStarted(context);
    await operationAnswered(context);
    await flushRefusedReads(deps);
    noteRefusedRead(context, "tenant", refusalAudit("tenant", { id: "ten_late" }, "NOT_FOUND", "tenant not found"));
  })();
  expect(logs).toEqual([expect.stringContaining(`"targets":["ten_late"]`)]);
  expect(logs[0]).toStartWith("1 refused read(s) of prn_late");
  for (let i = 0; i < 10 && stopped.deref(); i++) {
    await Bun.sleep(1);
    Bun.gc(true);
  }
  expect(stopped.deref()).toBeUndefined();
});

test("throttle: its timer writes the summary at the end of the principal's minute, and is unref'd", async () => {
  const clock = { now: 0 };
  const { throttle, written } = throttleAt(clock);
  await throttle.operationEnded(who("prn_a"), [read("tenant")], first);
  // Held a minute after the row: the minute is over, so the timer fires at once.
  clock.now = 60_000;
  await throttle.operationEnded(who("prn_b"), [read("tenant")], first);
  clock.now = 59_999;
  throttle.hold(who("prn_a"), [read("tenant", "ten_late")]);
  clock.now = 60_000;
  const timers = (throttle as unknown as { principals: Map<string, { timer: { hasRef(): boolean } | null }> }).principals;
  expect(timers.get("prn_a")!.timer!.hasRef()).toBe(false);
  for (let waited = 0; waited < 5000 && written.length < 3; waited += 5) await Bun.sleep(5);
  expect(written.map((w) => [w.who, w.action])).toEqual([["prn_a", "refused.tenant"], ["prn_b", "refused.tenant"], ["prn_a", "refused.reads"]]);
});

test("throttle: a principal with reads held is kept when old entries are forgotten", async () => {
  const clock = { now: 0 };
  const { throttle } = throttleAt(clock);
  await throttle.operationEnded(who("prn_pending"), [read("tenant")], first);
  throttle.hold(who("prn_pending"), [read("tenant")]);
  clock.now = 120_000;
  for (let i = 0; i < 1500; i++) await throttle.operationEnded(who(`prn_${i}`), [read("tenant")], first);
  expect(throttle.heldFor("prn_pending")).toMatchObject({ count: 1 });
  await throttle.flush();
});
