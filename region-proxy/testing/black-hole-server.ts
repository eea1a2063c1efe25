/**
 * A control plane that black-holes POSTs: it takes each one (reads its body) and never answers it until
 * stopped, as an ingest that accepts a usage batch and hangs. With `passOnTo` (the fixture's origin),
 * any other request is forwarded there, so a proxy still gets its snapshots; without it every request hangs.
 *
 * @example const hole = startBlackHole(fx.origin.url);
 *          await fx.startProxy({ controlPlaneUrl: hole.url }); ... await waitFor(() => hole.posts() === 1, "the flush sent");
 */
export function startBlackHole(passOnTo?: string) {
  let posts = 0;
  const hung: (() => void)[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    idleTimeout: 0,
    async fetch(request) {
      if (passOnTo !== undefined && request.method !== "POST") {
        const url = new URL(request.url);
        return fetch(`${passOnTo}${url.pathname}${url.search}`, { headers: request.headers });
      }
      await request.arrayBuffer();
      posts++;
      return new Promise<Response>((resolve) => hung.push(() => resolve(new Response("late", { status: 503 }))));
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    /** How many requests it holds (or held). */
    posts: () => posts,
    stop() {
      for (const answer of hung) answer();
      return server.stop(true);
    },
  };
}
