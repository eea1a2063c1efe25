/**
 * A TCP relay in front of a test database, on a port of its own (port 0), for connections that die
 * under the client: dropOpen() closes every connection open through it at that moment (a pooler,
 * proxy or failover dropping its connections) while the listener stays up, so the client's next
 * connection passes again.
 *
 * @example const relay = await startPgRelay(db.url); startTestControlPlane({ databaseUrl: relay.url }); relay.dropOpen();
 */
import { connect, createServer, type Socket } from "node:net";

export interface PgRelay {
  /** The database's URL through the relay. */
  url: string;
  /** Closes both ends of every connection open now (the client sees the connection end, no error); new connections pass. */
  dropOpen(): void;
  close(): Promise<void>;
}

export async function startPgRelay(databaseUrl: string): Promise<PgRelay> {
  const upstream = new URL(databaseUrl);
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const db = connect(Number(upstream.port || 5432), upstream.hostname);
    const pair: [Socket, Socket] = [client, db];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      db.destroy();
    };
    client.on("error", drop).on("close", drop);
    db.on("error", drop).on("close", drop);
    client.pipe(db);
    db.pipe(client);
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
    close: () => {
      dropOpen();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
