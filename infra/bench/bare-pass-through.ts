/**
 * The floor the proxy is measured against: `Bun.serve` + `fetch`, forwarding the body to the vendor
 * and piping the answer back, with nothing else. Prints `READY <port>` on stdout.
 */
const upstream = process.env.UPSTREAM_URL;
if (!upstream) throw new Error("UPSTREAM_URL is required");

const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: "127.0.0.1",
  development: false,
  async fetch(request) {
    const url = new URL(request.url);
    const response = await fetch(upstream + url.pathname.replace(/^\/v1/, ""), {
      method: request.method,
      headers: { "content-type": "application/json", authorization: "Bearer bench-vendor-key" },
      body: await request.arrayBuffer(),
    });
    return new Response(response.body, { status: response.status, headers: { "content-type": response.headers.get("content-type") ?? "application/json" } });
  },
  error: () => new Response("error", { status: 500 }),
});
console.log(`READY ${server.port}`);
// BENCH_DEBUG=1: the same stall report as the proxy's, to tell the machine's hiccups from the proxy's.
if (process.env.BENCH_DEBUG) {
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > 4) console.error(`bare ${(now / 1000).toFixed(3)} event loop stalled ${(now - last - 1).toFixed(1)} ms`);
    last = now;
  }, 1);
}


// Exit normally on SIGTERM, so `--cpu-prof` gets to write its profile.
process.on("SIGTERM", () => process.exit(0));
export {};
