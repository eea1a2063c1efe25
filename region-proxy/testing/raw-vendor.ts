/**
 * Vendors scripted byte by byte on raw TCP, behind a real proxy: for the faults an HTTP server cannot
 * make (a body cut mid-way under either framing, headers then silence, SSE comments one write at a
 * time). Once a whole request is in, a vendor's `script` writes whatever bytes it likes to the socket.
 * Each vendor is one deployment (with its own timeouts if given); `chains` names the aliases, and a
 * chain may end at the fixture's echo deployment ("dep_echo1"). The breaker never opens.
 *
 * @example const t = await startRawVendors({ dep_cut: { provider: "openai", script: (s) => { s.write(head("200 OK", {})); s.terminate(); } } }, { cut: ["dep_cut"] });
 *          const error = await t.client.chat.completions.create({ model: "cut", messages }).catch((e) => e);
 */
import type { Socket } from "bun";
import type { DeploymentTimeouts, ProviderKind } from "../../shared/snapshot/schema.ts";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { createProxyFixture, PRICE, REGION, waitFor } from "./proxy-fixture.ts";

type RawSocket = Socket<{ buf: string; done: boolean }>;
export type RawScript = (socket: RawSocket, request: { path: string; body: string }) => void | Promise<void>;
export interface RawVendor {
  provider: ProviderKind;
  script: RawScript;
  timeouts?: DeploymentTimeouts;
}

/** An HTTP/1.1 status line and headers, ended by the blank line. */
export function head(status: string, headers: Record<string, string | number>): string {
  return `HTTP/1.1 ${status}\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("") + "\r\n";
}

/**
 * An error answer whose body stalls: the status line and headers (a JSON body of 200 bytes announced),
 * the body's first bytes, then silence, the connection left open.
 *
 * @example { provider: "openai", timeouts: { firstByteMs: 300 }, script: stalledErrorBody("503 Service Unavailable") }
 */
export const stalledErrorBody =
  (status: string): RawScript =>
  (s) => {
    s.write(head(status, { "content-type": "application/json", "content-length": 200 }) + '{"error":');
  };

/** One chunk of a chunked body. */
export const httpChunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;

function listen(script: RawScript) {
  return Bun.listen<{ buf: string; done: boolean }>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s) {
        s.data = { buf: "", done: false };
      },
      data(s, d) {
        s.data.buf += d.toString();
        const end = s.data.buf.indexOf("\r\n\r\n");
        if (end < 0 || s.data.done) return;
        const length = Number(/content-length: *(\d+)/i.exec(s.data.buf.slice(0, end))?.[1] ?? 0);
        if (s.data.buf.length - end - 4 < length) return;
        s.data.done = true;
        const path = s.data.buf.slice(0, s.data.buf.indexOf("\r\n")).split(" ")[1]!;
        void script(s, { path, body: s.data.buf.slice(end + 4) });
      },
    },
  });
}

export async function startRawVendors(vendors: Record<string, RawVendor>, chains: Record<string, string[]>) {
  const servers = Object.entries(vendors).map(([id, v]) => ({ id, v, server: listen(v.script) }));
  const fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const { id, v, server } of servers) {
        const model = `${id}-model`;
        const baseUrl = `http://127.0.0.1:${server.port}${v.provider === "openai" ? "/v1" : ""}`;
        s.deployments[id] = { id, provider: v.provider, baseUrl, model, region: REGION, credentialRef: "env:ECHO_KEY", ...(v.timeouts ? { timeouts: v.timeouts } : {}) };
        s.pricing[`${v.provider}:${model}`] = PRICE;
      }
      for (const [alias, chain] of Object.entries(chains)) s.aliases[alias] = { name: alias, chain };
    }),
  );
  const proxy = await fx.startProxy({}, { health: createMemoryBreaker({ failureThreshold: 1_000_000 }) });
  return {
    fx,
    proxy,
    client: fx.client(proxy),
    /** The usage event of a request, once the proxy has sent it. */
    async eventOf(requestId: string | null): Promise<UsageEvent> {
      await waitFor(() => fx.origin.events().some((e) => e.requestId === requestId), "usage event", 15_000);
      return fx.origin.events().find((e) => e.requestId === requestId)!;
    },
    async stop() {
      await fx.cleanup();
      for (const { server } of servers) server.stop(true);
    },
  };
}
