/**
 * Test helpers for Redis faults the OS never reports: a redis-server of the test's own on a free port
 * (never the machine's shared one), and a TCP relay to it that can black-hole the connections open at
 * a moment (a failed-over node, a network partition: no reply, no RST, the socket stays up) while new
 * connections pass, or delay every reply (a slow, distant Redis); and a failover behind one address.
 */
import Redis from "ioredis";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../test/support/ports.ts";

export interface OwnRedis {
  port: number;
  url: string;
  /** SIGSTOP: connections stay up, nothing answers (a hung Redis). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  stop(): Promise<void>;
}

/**
 * Starts redis-server (no persistence) on a free port and waits until it answers PING. Its working
 * directory is a temporary one of its own, removed on stop: a server made a replica (a failover test)
 * writes the primary's dump.rdb there during the sync, whatever `--save` says, not into the checkout.
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = freePort();
  const dir = mkdtempSync(join(tmpdir(), "own-redis-"));
  const server = Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdout: "ignore", stderr: "ignore" });
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (Date.now() > deadline) {
      server.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server on port ${port} did not answer within 10 s (is redis-server installed?)`);
    }
    await Bun.sleep(50);
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pause: () => process.kill(server.pid, "SIGSTOP"),
    resume: () => process.kill(server.pid, "SIGCONT"),
    async stop() {
      server.kill("SIGKILL");
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One raw PING over a fresh TCP connection (no client library, no reconnect logic). */
async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => resolve(ok);
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open: (s) => void s.write("PING\r\n"),
        data: (s, bytes) => {
          done(new TextDecoder().decode(bytes).startsWith("+PONG"));
          s.end();
        },
        error: () => done(false),
        close: () => done(false),
        connectError: () => done(false),
      },
    }).catch(() => done(false));
  });
}

export interface RedisRelay {
  url: string;
  /** Silences the connections open now, both ways, for ever; connections opened later pass. */
  blackHoleExisting(): void;
  /** Connections open through the relay now (black-holed ones included until their client closes them). */
  openConnections(): number;
  /** Sends connections opened from now on to the Redis on `port` (a DNS name moved to a promoted node); open ones stay where they are. */
  repoint(port: number): void;
  stop(): void;
}

/** A relay on a free port to the Redis on `upstreamPort`; with `replyDelayMs`, every reply comes that much later, in order. */
export function startRedisRelay(upstreamPort: number, replyDelayMs = 0): RedisRelay {
  type Upstream = Awaited<ReturnType<typeof Bun.connect>>;
  const open = new Set<{ silent: boolean }>();
  let upstream = upstreamPort;
  const listener = Bun.listen<{ up: Upstream | null; held: Uint8Array[]; state: { silent: boolean } }>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        const state = { silent: false };
        open.add(state);
        client.data = { up: null, held: [], state };
        void Bun.connect({
          hostname: "127.0.0.1",
          port: upstream,
          socket: {
            data(_up, bytes) {
              if (state.silent) return;
              if (replyDelayMs === 0) client.write(bytes);
              else {
                const copy = new Uint8Array(bytes);
                setTimeout(() => !state.silent && client.write(copy), replyDelayMs);
              }
            },
            close() {
              if (!state.silent) client.end();
            },
          },
        }).then(
          (up) => {
            client.data.up = up;
            for (const bytes of client.data.held) up.write(bytes);
          },
          () => client.end(),
        );
      },
      data(client, bytes) {
        if (client.data.state.silent) return;
        if (client.data.up) client.data.up.write(bytes);
        else client.data.held.push(new Uint8Array(bytes));
      },
      close(client) {
        open.delete(client.data.state);
        client.data.up?.end();
      },
    },
  });
  return {
    url: `redis://127.0.0.1:${listener.port}`,
    blackHoleExisting: () => {
      for (const state of open) state.silent = true;
    },
    openConnections: () => open.size,
    repoint: (port) => void (upstream = port),
    stop: () => listener.stop(true),
  };
}

export interface FailoverPair {
  oldPrimary: OwnRedis;
  newPrimary: OwnRedis;
  /** The one address the client under test is given: at first it leads to the old primary. */
  relay: RedisRelay;
  /** The failover (ElastiCache, Sentinel behind DNS): the old primary follows the new one, read-only from now on, and the address moves to the new one. */
  failover(): Promise<void>;
  /** A client straight to `node` (not through the relay), disconnected at stop. */
  direct(node: OwnRedis): Redis;
  stop(): Promise<void>;
}

/**
 * Two redis-servers of the test's own and a relay to the first, for a failover test.
 *
 * @example const pair = await startFailoverPair(); ... await pair.failover(); ... await pair.stop();
 */
export async function startFailoverPair(): Promise<FailoverPair> {
  const started = await Promise.allSettled([startOwnRedis(), startOwnRedis()]);
  const nodes = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  if (nodes.length < 2) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw (started.find((s) => s.status === "rejected") as PromiseRejectedResult).reason;
  }
  const [oldPrimary, newPrimary] = nodes as [OwnRedis, OwnRedis];
  const relay = startRedisRelay(oldPrimary.port);
  const clients: Redis[] = [];
  const direct = (node: OwnRedis) => {
    const client = new Redis(node.port, "127.0.0.1");
    clients.push(client);
    return client;
  };
  return {
    oldPrimary,
    newPrimary,
    relay,
    async failover() {
      await direct(oldPrimary).replicaof("127.0.0.1", newPrimary.port);
      relay.repoint(newPrimary.port);
    },
    direct,
    async stop() {
      for (const client of clients) client.disconnect();
      relay.stop();
      await Promise.all([oldPrimary.stop(), newPrimary.stop()]);
    },
  };
}
