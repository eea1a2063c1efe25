import { describe, expect, test } from "bun:test";
import { ZERO_USAGE, type NormalizedUsage } from "../../shared/money/cost.ts";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import type { Snapshot, SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import type { Trail } from "../providers/walk-chain.ts";
import type { RequestContext } from "./build-context.ts";
import { settle, type SettleInput } from "./settle.ts";

function input(overrides: Partial<SettleInput> = {}): SettleInput {
  const context = { requestId: "req_settle", receivedAt: new Date().toISOString(), snapshotVersion: 1, tenant: { id: "ten_a" }, key: { id: "key_a" }, featureId: null, startedMs: Date.now() } as unknown as RequestContext;
  return {
    context,
    snapshot: { pricing: {} } as unknown as Snapshot,
    region: "eu",
    alias: "support-fast",
    endpoint: "chat.completions",
    stream: false,
    trail: { deployment: null, attempts: 1, fallback: false, steps: [] },
    usage: { inputTokens: 3, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    status: "ok",
    errorCode: null,
    ticket: { headers: {}, settle: async () => {}, release: async () => {} },
    promptEstimate: () => 0,
    ...overrides,
  };
}

describe("settle", () => {
  test("a vendor's error code is cut to 64 characters in the event: one huge code must not make a batch the control plane refuses", () => {
    const appended: UsageEvent[] = [];
    settle(input({ status: "error", usage: null, errorCode: `quota_${"x".repeat(100_000)}` }), (event) => void appended.push(event), () => {});
    expect(appended[0]!.errorCode).toBe(`quota_${"x".repeat(58)}`);
    settle(input({ status: "error", usage: null, errorCode: "upstream_timeout" }), (event) => void appended.push(event), () => {});
    expect(appended[1]!.errorCode).toBe("upstream_timeout");
    // What the database cannot store (a NUL, a lone surrogate) or a log reader would trip on never reaches the event.
    settle(input({ status: "error", usage: null, errorCode: "bad\u0000code \ud800\n😀" }), (event) => void appended.push(event), () => {});
    expect(appended[2]!.errorCode).toBe("bad_code_____"); // the emoji is two UTF-16 units
  });

  test("hands the event over at once and returns nothing to wait for when the ticket touched no counter", () => {
    const appended: UsageEvent[] = [];
    const closing = settle(input({ ticket: { headers: {}, settle: () => null, release: () => null } }), (event) => void appended.push(event), () => {});
    expect(closing).toBeNull();
    expect(appended.map((e) => [e.requestId, e.tenantId, e.usage.inputTokens])).toEqual([["req_settle", "ten_a", 3]]);
  });

  test("returns the limits settle still running (a graceful stop waits for it); the event is handed over before it ends", async () => {
    let finishSettle!: () => void;
    const appended: string[] = [];
    const ticket = { headers: {}, settle: () => new Promise<void>((resolve) => (finishSettle = resolve)), release: () => null };
    let ended = false;
    const closing = settle(input({ ticket }), (event) => void appended.push(event.requestId), () => {});
    expect(closing).not.toBeNull();
    void closing!.then(() => (ended = true));
    expect(appended).toEqual(["req_settle"]);
    await Bun.sleep(5);
    expect(ended).toBe(false);
    finishSettle();
    await closing;
    expect(ended).toBe(true);
  });

  test("a failed call without usage releases the ticket instead of settling it", () => {
    const calls: string[] = [];
    const ticket = { headers: {}, settle: () => (calls.push("settle"), null), release: () => (calls.push("release"), null) };
    settle(input({ ticket, usage: null, status: "error", errorCode: "upstream_error" }), () => {}, () => {});
    expect(calls).toEqual(["release"]);
  });

  test("an append that throws is logged with the request and event ids; settle never throws", () => {
    const lines: string[] = [];
    let eventId = "";
    settle(input(), (event) => {
      eventId = event.eventId;
      throw new Error("outbox full");
    }, (line) => lines.push(line));
    expect(lines).toEqual([`request req_settle: usage event ${eventId} could not be written: outbox full`]);
  });

  test("a limits settle failure, rejected or thrown, is logged and the event is still appended", async () => {
    const failures = [() => Promise.reject(new Error("redis down")), () => { throw new Error("redis down"); }];
    for (const fail of failures) {
      const lines: string[] = [];
      const appended: string[] = [];
      const ticket = { headers: {}, settle: fail, release: () => null };
      await settle(input({ ticket }), (event) => void appended.push(event.requestId), (line) => lines.push(line));
      expect(lines).toEqual(["request req_settle: limits settle failed: redis down"]);
      expect(appended).toEqual(["req_settle"]);
    }
  });
});

describe("every call the vendor billed is charged: the answer, each 2xx answer the gateway refused on the way, and each call left without an answer", () => {
  const dep = (id: string, model: string): SnapshotDeployment => ({ id, provider: "openai", baseUrl: "http://127.0.0.1:1/v1", model, region: "eu", credentialRef: "env:K" });
  const [cheap, dear] = [dep("dep_cheap", "cheap"), dep("dep_dear", "dear")];
  // 1 / 2 µ$ per token for cheap, 3 / 5 for dear: whole micro-USD, no rounding in play.
  const snapshot = { pricing: { "openai:cheap": { input: 1_000_000, output: 2_000_000 }, "openai:dear": { input: 3_000_000, output: 5_000_000 } } } as unknown as Snapshot;
  const used = (inputTokens: number, outputTokens: number, extra: Partial<NormalizedUsage> = {}): NormalizedUsage => ({ ...ZERO_USAGE, inputTokens, outputTokens, ...extra });
  const trail = (deployment: SnapshotDeployment, refusedCalls?: Trail["refusedCalls"], unansweredCalls?: Trail["unansweredCalls"]): Trail => ({ deployment, attempts: 1 + (refusedCalls?.length ?? 0), fallback: false, steps: [], refusedCalls, unansweredCalls });

  function settled(overrides: Partial<SettleInput>) {
    const appended: UsageEvent[] = [];
    const ticket: string[] = [];
    const closes = { headers: {}, settle: (usage: NormalizedUsage, cost: number) => (ticket.push(`settle ${usage.inputTokens}/${usage.outputTokens} ${cost}`), null), release: () => (ticket.push("release"), null) };
    settle(input({ snapshot, ticket: closes, promptEstimate: (model) => (model === "cheap" ? 40 : 60), ...overrides }), (event) => void appended.push(event), () => {});
    return { event: appended[0]!, ticket };
  }

  test("a refused call then a good answer: both calls' tokens, each priced at its own deployment, and the ticket settles the sums", () => {
    const { event, ticket } = settled({ trail: trail(dear, [{ deployment: cheap, reportedUsage: used(500, 300, { cachedInputTokens: 100 }) }]), usage: used(7, 3, { reasoningTokens: 1 }) });
    expect(event.usage).toEqual({ ...ZERO_USAGE, inputTokens: 507, outputTokens: 303, cachedInputTokens: 100, reasoningTokens: 1 });
    expect(event.costMicros).toBe(500 * 1 + 300 * 2 + (7 * 3 + 3 * 5));
    expect(event).toMatchObject({ deploymentId: "dep_dear", vendorModel: "dear" });
    expect(ticket).toEqual([`settle 507/303 ${1_100 + 36}`]);
  });

  test("a refused call that reported no usage is charged the prompt estimate for its own deployment's model", () => {
    const { event } = settled({ trail: trail(dear, [{ deployment: cheap, reportedUsage: null }, { deployment: dear, reportedUsage: null }]), usage: used(7, 3) });
    expect(event.usage).toMatchObject({ inputTokens: 40 + 60 + 7, outputTokens: 3 });
    expect(event.costMicros).toBe(40 * 1 + 60 * 3 + 36);
  });

  test("a walk that ended with refused calls (no answer): their sum is charged, once each, and the ticket is settled, not released", () => {
    const { event, ticket } = settled({ trail: trail(cheap, [{ deployment: cheap, reportedUsage: used(500, 300) }, { deployment: cheap, reportedUsage: used(500, 300) }]), usage: null, status: "error", errorCode: "upstream_invalid_response" });
    expect(event.usage).toMatchObject({ inputTokens: 1_000, outputTokens: 600 });
    expect(event.costMicros).toBe(2_200);
    expect(ticket).toEqual(["settle 1000/600 2200"]);
  });

  test("a timed-out last call (on the trail, no usage from the route) is charged its prompt estimate on top of the refused calls before it", () => {
    const { event } = settled({ trail: trail(dear, [{ deployment: cheap, reportedUsage: used(500, 300) }], [{ deployment: dear, reportedUsage: null }]), usage: null, status: "error", errorCode: "upstream_timeout" });
    expect(event.usage).toMatchObject({ inputTokens: 560, outputTokens: 300 });
    expect(event.costMicros).toBe(1_100 + 60 * 3);
  });

  test("calls left without an answer before the one that answered: each charged its prompt estimate at its own deployment, once", () => {
    const { event, ticket } = settled({ trail: trail(dear, undefined, [{ deployment: cheap, reportedUsage: null }, { deployment: cheap, reportedUsage: null }, { deployment: dear, reportedUsage: null }]), usage: used(7, 3) });
    expect(event.usage).toMatchObject({ inputTokens: 40 + 40 + 60 + 7, outputTokens: 3 });
    expect(event.costMicros).toBe(40 + 40 + 60 * 3 + 36);
    expect(ticket).toEqual([`settle 147/3 ${event.costMicros}`]);
  });

  test("a call left without an answer after its stream reported usage (Anthropic's message_start) is charged that usage, not the estimate", () => {
    const { event } = settled({ trail: trail(dear, undefined, [{ deployment: dear, reportedUsage: used(100, 1, { cachedInputTokens: 30 }) }]), usage: null, status: "client_closed", errorCode: "client_closed" });
    expect(event.usage).toEqual({ ...ZERO_USAGE, inputTokens: 100, outputTokens: 1, cachedInputTokens: 30 });
    // No input reported: the input side is the estimate, the reported output kept.
    const noInput = settled({ trail: trail(dear, undefined, [{ deployment: dear, reportedUsage: used(0, 4) }]), usage: null, status: "error", errorCode: "upstream_timeout" });
    expect(noInput.event.usage).toMatchObject({ inputTokens: 60, outputTokens: 4 });
  });

  test("a walk whose only charge is its calls left without an answer settles the ticket with them, not a release", () => {
    const { event, ticket } = settled({ trail: trail(cheap, undefined, [{ deployment: cheap, reportedUsage: null }, { deployment: cheap, reportedUsage: null }]), usage: null, status: "client_closed", errorCode: "client_closed" });
    expect(event.usage).toMatchObject({ inputTokens: 80, outputTokens: 0 });
    expect(event.costMicros).toBe(80);
    expect(ticket).toEqual(["settle 80/0 80"]);
  });

  test("no refused call: the answer alone, priced at its deployment, the event's usage the very object the route passed", () => {
    const answer = used(7, 3);
    const { event, ticket } = settled({ trail: trail(dear), usage: answer });
    expect(event.usage).toBe(answer);
    expect(event.costMicros).toBe(36);
    expect(ticket).toEqual(["settle 7/3 36"]);
  });
  test("the deployment the event is about is told when it has no price (charged 0); a priced one, or no call, is not", () => {
    const told: string[] = [];
    const onUnpriced = (deployment: SnapshotDeployment) => void told.push(deployment.id);
    const unpriced = dep("dep_free", "free");
    const { event } = settled({ trail: trail(unpriced), usage: used(7, 3), onUnpriced });
    expect({ cost: event.costMicros, told }).toEqual({ cost: 0, told: ["dep_free"] });
    settled({ trail: trail(dear), usage: used(7, 3), onUnpriced });
    settled({ trail: { deployment: null, attempts: 0, fallback: false, steps: [] }, usage: null, status: "error", errorCode: "upstream_error", onUnpriced });
    // A refused call on an unpriced deployment is charged 0 too, but the event is about the one that answered.
    settled({ trail: trail(dear, [{ deployment: unpriced, reportedUsage: null }]), usage: used(7, 3), onUnpriced });
    expect(told).toEqual(["dep_free"]);
  });
});
