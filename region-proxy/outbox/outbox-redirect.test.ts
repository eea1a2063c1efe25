/**
 * The usage POST is never followed through a redirect: fetch re-sent a 307/308's POST, events and all
 * (without the token), to whatever host Location named, and the outbox deleted what that host
 * acknowledged: usage never billed. A 3xx is a failed flush now: the events are kept and retried, and
 * the log says where the redirect pointed. (Review E4.)
 */
import { afterAll, expect, test } from "bun:test";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { openProxyKv } from "../kv/open-kv.ts";
import { startUsageAckServer } from "../testing/usage-ack-server.ts";
import { startFlusher } from "./flusher.ts";
import { UsageOutbox } from "./outbox.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

for (const status of [301, 302, 307, 308]) {
  test(`a ${status} from the usage route keeps the events and sends none elsewhere`, async () => {
    const elsewhere = startUsageAckServer();
    const cp = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(null, { status, headers: { location: `${elsewhere.url}/internal/v1/usage` } }) });
    const kv = await openProxyKv(dirs.make("outbox-redirect-"));
    const outbox = new UsageOutbox(kv);
    for (const id of ["evt_r1", "evt_r2"]) await outbox.append({ eventId: id } as UsageEvent);
    const logs: string[] = [];
    let failedRounds = 0;
    const flusher = startFlusher({ outbox, controlPlaneUrl: `http://127.0.0.1:${cp.port}`, regionToken: "t", proxyId: "prx_test", intervalMs: 60_000, log: (l) => logs.push(l), onFailedRound: () => failedRounds++ });
    try {
      expect(await flusher.flushNow()).toBe(false);
      expect(elsewhere.batches).toEqual([]);
      expect((await outbox.peek(10)).map((p) => p.eventId)).toEqual(["evt_r1", "evt_r2"]);
      expect(failedRounds).toBe(1);
      expect(logs).toEqual([`usage flush: the control plane answered with a redirect (${status} to "${elsewhere.url}/internal/v1/usage"), which is not followed: CONTROL_PLANE_URL should name the control plane itself; 2 events kept`]);
    } finally {
      await flusher.stop();
      kv.close();
      cp.stop(true);
      await elsewhere.stop();
    }
  });
}
