/**
 * A second floor, opt-in (`run.ts --targets direct,bare,parsing,proxy`): the least any gateway that
 * reads what passes through must do on top of the bare pass-through. It parses the client's JSON,
 * puts the deployment's model in, serializes it for the vendor, and for a full answer parses the
 * vendor's JSON (where the usage is) and serializes it back; streams are piped as bare pipes them.
 * No authentication, limits, routing, timers or usage record: it shows how much of the proxy's cost
 * over bare is the JSON round trip alone. Prints `READY <port>` on stdout.
 */
const upstream = process.env.UPSTREAM_URL;
if (!upstream) throw new Error("UPSTREAM_URL is required");

const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: "127.0.0.1",
  development: false,
  async fetch(request) {
    const url = new URL(request.url);
    const body = (await request.json()) as Record<string, unknown>;
    const response = await fetch(upstream + url.pathname.replace(/^\/v1/, ""), {
      method: request.method,
      headers: { "content-type": "application/json", authorization: "Bearer bench-vendor-key" },
      body: JSON.stringify({ ...body, model: "bench-model" }),
    });
    if (body.stream === true) return new Response(response.body, { status: response.status, headers: { "content-type": "text/event-stream" } });
    const answer = (await response.json()) as Record<string, unknown>;
    return Response.json(answer, { status: response.status });
  },
  error: () => new Response("error", { status: 500 }),
});
console.log(`READY ${server.port}`);
process.on("SIGTERM", () => process.exit(0));
export {};
