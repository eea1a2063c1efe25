/**
 * A clean stop does not terminate the outbox thread: terminating (or ending) a thread that had opened
 * SQLite files while the process went on crashed the launcher now and then on Bun 1.4.5
 * (oven-sh/bun#29275). The thread closes KV, answers "stopped" and ends by itself later; only a thread
 * that does not answer is terminated.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { openProxyKv } from "../kv/open-kv.ts";
import { UsageOutbox } from "./outbox.ts";
import { closedUrl } from "../../test/support/ports.ts";
import { startOutboxThread } from "./outbox-thread.ts";

const root = mkdtempSync(join(tmpdir(), "outbox-no-terminate-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("stop() commits every event and closes KV without ever calling terminate()", async () => {
  const terminate = Worker.prototype.terminate;
  let terminated = 0;
  Worker.prototype.terminate = function (this: Worker) {
    terminated++;
    return terminate.call(this);
  };
  try {
    const dataDir = join(root, "clean");
    const thread = await startOutboxThread({ dataDir, controlPlaneUrl: closedUrl(), regionToken: "t", proxyId: "prx_test", flushIntervalMs: 60_000 }, () => {});
    await thread.append({ eventId: "evt_1", requestId: "req_1" } as unknown as UsageEvent);
    await thread.stop();
    expect(terminated).toBe(0);
    expect(thread.status().threadRunning).toBe(false);
    // KV was closed by the thread: it opens again here and holds the event.
    const kv = await openProxyKv(dataDir);
    expect((await new UsageOutbox(kv).peek(10)).map((p) => p.eventId)).toEqual(["evt_1"]);
    kv.close();
  } finally {
    Worker.prototype.terminate = terminate;
  }
});
