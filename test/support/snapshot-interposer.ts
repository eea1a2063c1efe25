/**
 * Sits between a proxy and the real control plane and, on demand, hands the proxy a snapshot that
 * must be refused: one byte changed, re-signed by another key, or an older version replayed.
 * Everything else is forwarded untouched.
 */
import { SNAPSHOT_PATH_PREFIX } from "../../shared/internal-api.ts";
import { generateSigningKey, signSnapshot } from "../../shared/snapshot/sign.ts";

export type InterposerMode =
  | { kind: "pass" }
  | { kind: "tamper" }
  | { kind: "foreign-key"; sameKid: boolean }
  | { kind: "replay"; jws: string; version: number };

export interface SnapshotInterposer {
  url: string;
  setMode(mode: InterposerMode): void;
  /** Every snapshot JWS that went through, in order, with its version. */
  seen(): { version: number; jws: string }[];
  /** How many snapshot responses were served in the current mode. */
  servedInMode(): number;
  stop(): Promise<void>;
}

export async function startSnapshotInterposer(controlPlaneUrl: string): Promise<SnapshotInterposer> {
  let mode: InterposerMode = { kind: "pass" };
  let served = 0;
  const seen: { version: number; jws: string }[] = [];

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    async fetch(request) {
      const url = new URL(request.url);
      const headers = new Headers(request.headers);
      if (mode.kind !== "pass") headers.delete("if-none-match");
      const upstream = await fetch(new URL(url.pathname + url.search, controlPlaneUrl), {
        method: request.method,
        headers,
        body: request.method === "GET" ? undefined : await request.arrayBuffer(),
      });
      if (!url.pathname.startsWith(SNAPSHOT_PATH_PREFIX) || upstream.status !== 200) return upstream;
      const jws = await upstream.text();
      const version = versionOf(jws);
      seen.push({ version, jws });
      served++;
      const reply = (body: string, etagVersion: number) =>
        new Response(body, { headers: { "content-type": "application/jose", etag: `"${etagVersion}"` } });
      switch (mode.kind) {
        case "pass":
          return reply(jws, version);
        case "tamper":
          return reply(flipOnePayloadByte(jws), version);
        case "foreign-key": {
          const kid = mode.sameKid ? (JSON.parse(Buffer.from(jws.split(".")[0]!, "base64url").toString()).kid as string) : "attacker-key";
          const { key } = await generateSigningKey(kid);
          return reply(await signSnapshot(JSON.parse(Buffer.from(jws.split(".")[1]!, "base64url").toString()), key), version);
        }
        case "replay":
          return reply(mode.jws, mode.version);
      }
    },
    error: () => new Response("interposer error", { status: 502 }),
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    setMode(next) {
      mode = next;
      served = 0;
    },
    seen: () => [...seen],
    servedInMode: () => served,
    async stop() {
      await server.stop(true);
    },
  };
}

function versionOf(jws: string): number {
  return (JSON.parse(Buffer.from(jws.split(".")[1]!, "base64url").toString()) as { version: number }).version;
}

/** Changes one character in the middle of the payload part: still valid base64url, no longer signed. */
function flipOnePayloadByte(jws: string): string {
  const [header, payload, signature] = jws.split(".") as [string, string, string];
  const at = Math.floor(payload.length / 2);
  const replacement = payload[at] === "A" ? "B" : "A";
  return [header, payload.slice(0, at) + replacement + payload.slice(at + 1), signature].join(".");
}
