/**
 * A TCP relay in front of a test database, on a port of its own (port 0), for connections that die
 * under the client: dropOpen() closes every connection open through it at that moment (a pooler,
 * proxy or failover dropping its connections) while the listener stays up, so the client's next
 * connection passes again. setDelay(ms) holds every chunk the database sends `ms` before passing it
 * on, in order (a database further away: each round trip takes ~ms longer); sent() counts the chunks
 * the clients wrote (about one per round trip: a client writes a pipelined batch at once).
 *
 * @example const relay = await startPgRelay(db.url); startTestControlPlane({ databaseUrl: relay.url }); relay.dropOpen();
 */
import { connect, createServer, type Socket } from "node:net";

export interface PgRelay {
  /** The database's URL through the relay. */
  url: string;
  /** Closes both ends of every connection open now (the client sees the connection end, no error); new connections pass. */
  dropOpen(): void;
  /** Holds what the database sends `ms` from now on (0: passed at once). */
  setDelay(ms: number): void;
  /** Chunks written by the clients through the relay so far. */
  sent(): number;
  close(): Promise<void>;
}

/** Writes chunks to `to` `delay()` ms after they came, in the order they came. */
function delayedWriter(to: Socket, delay: () => number): (chunk: Buffer) => void {
  const queue: { due: number; chunk: Buffer }[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const drain = () => {
    timer = null;
    while (queue.length > 0 && queue[0]!.due <= performance.now()) to.write(queue.shift()!.chunk);
    if (queue.length > 0) timer = setTimeout(drain, queue[0]!.due - performance.now());
  };
  return (chunk) => {
    const ms = delay();
    if (ms <= 0 && queue.length === 0) {
      to.write(chunk);
      return;
    }
    queue.push({ due: Math.max(performance.now() + ms, queue.at(-1)?.due ?? 0), chunk });
    if (timer === null) timer = setTimeout(drain, queue[0]!.due - performance.now());
  };
}

export async function startPgRelay(databaseUrl: string): Promise<PgRelay> {
  const upstream = new URL(databaseUrl);
  const pairs = new Set<[Socket, Socket]>();
  let delayMs = 0;
  let sent = 0;
  const server = createServer((client) => {
    const db = connect(Number(upstream.port || 5432), upstream.hostname);
    // As PostgreSQL's own sockets: no Nagle wait on a pipelined batch's later writes.
    client.setNoDelay(true);
    db.setNoDelay(true);
    const pair: [Socket, Socket] = [client, db];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      db.destroy();
    };
    client.on("error", drop).on("close", drop);
    db.on("error", drop).on("close", drop);
    client.on("data", (chunk: Buffer) => {
      sent++;
      db.write(chunk);
    });
    const toClient = delayedWriter(client, () => delayMs);
    db.on("data", toClient);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("pg relay: no TCP address");
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String(address.port);
  const dropOpen = () => {
    for (const [client, db] of [...pairs]) {
      client.destroy();
      db.destroy();
    }
  };
  return {
    url: url.toString(),
    dropOpen,
    setDelay: (ms) => void (delayMs = ms),
    sent: () => sent,
    close: () => {
      dropOpen();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
