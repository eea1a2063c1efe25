/**
 * A committed stream allowed to run past Bun's 255 s idle maximum runs with no server idle limit, its
 * own deadline ending it: Bun's idle timer does not restart on the server's own writes, so a stream
 * capped at 255 s was cut mid-answer however busily it wrote (found while forwarding vendor
 * keep-alives, 20e40d8). The second test pins that platform fact, so a Bun that changes it is noticed.
 */
import { expect, test } from "bun:test";
import { idleSecondsUntil, streamIdleSeconds } from "./idle-seconds.ts";

test("a stream's idle limit outlasts its deadline by 5 s, and is none past Bun's 255 s", () => {
  const now = 1_000_000;
  expect(streamIdleSeconds(now + 120_000, now)).toBe(125);
  expect(streamIdleSeconds(now + 250_000, now)).toBe(255);
  expect(streamIdleSeconds(now + 250_001, now)).toBe(0);
  expect(streamIdleSeconds(now + 3_600_000, now)).toBe(0);
  // The server-wide default stays capped (0 there would lift the limit off idle keep-alive connections).
  expect(idleSecondsUntil(now + 3_600_000, now)).toBe(255);
});

/** Streams 24 events 250 ms apart (6 s) from a server whose idle limit is 2 s (Bun checks it every few seconds); how many arrive and whether it ended cleanly. */
async function streamPastIdleLimit(lift: boolean): Promise<{ events: number; cut: boolean }> {
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 2,
    fetch(request, srv) {
      if (lift) srv.timeout(request, 0);
      let sent = 0;
      const body = new ReadableStream({
        async pull(controller) {
          await Bun.sleep(250);
          if (++sent > 24) return controller.close();
          controller.enqueue(new TextEncoder().encode(`data: ${sent}\n\n`));
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    },
  });
  let events = 0;
  try {
    const reader = (await fetch(`http://127.0.0.1:${server.port}/`)).body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) events += new TextDecoder().decode(read.value).split("data:").length - 1;
    return { events, cut: false };
  } catch {
    return { events, cut: true };
  } finally {
    server.stop(true);
  }
}

test("Bun cuts a busily writing response at its idle limit; timeout(request, 0) lifts it", async () => {
  const [capped, lifted] = await Promise.all([streamPastIdleLimit(false), streamPastIdleLimit(true)]);
  expect(capped.cut).toBe(true);
  expect(capped.events).toBeLessThan(24);
  expect(lifted).toEqual({ events: 24, cut: false });
}, 15_000);
