import { describe, expect, test } from "bun:test";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
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
