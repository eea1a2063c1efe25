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
  test("resolves only once the usage event is committed (a graceful stop waits for it)", async () => {
    let commit!: () => void;
    const appended: UsageEvent[] = [];
    let settled = false;
    const done = settle(input(), (event) => {
      appended.push(event);
      return new Promise<void>((resolve) => (commit = resolve));
    }, () => {}).then(() => (settled = true));
    await Bun.sleep(5);
    expect(appended.map((e) => [e.requestId, e.tenantId, e.usage.inputTokens])).toEqual([["req_settle", "ten_a", 3]]);
    expect(settled).toBe(false);
    commit();
    await done;
    expect(settled).toBe(true);
  });

  test("an append that rejects or throws is logged with the request and event ids; settle never throws", async () => {
    for (const append of [() => Promise.reject(new Error("outbox full")), () => { throw new Error("outbox full"); }]) {
      const lines: string[] = [];
      let eventId = "";
      await settle(input(), (event) => {
        eventId = event.eventId;
        return append();
      }, (line) => lines.push(line));
      expect(lines).toEqual([`request req_settle: usage event ${eventId} could not be written: outbox full`]);
    }
  });

  test("a limits settle failure is logged and the event is still appended", async () => {
    const lines: string[] = [];
    const appended: string[] = [];
    const ticket = { headers: {}, settle: () => Promise.reject(new Error("redis down")), release: async () => {} };
    await settle(input({ ticket }), async (event) => void appended.push(event.requestId), (line) => lines.push(line));
    expect(lines).toEqual(["request req_settle: limits settle failed: redis down"]);
    expect(appended).toEqual(["req_settle"]);
  });
});
