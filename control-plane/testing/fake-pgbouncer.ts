/**
 * A TCP pooler in front of a test database that behaves as PgBouncer does at startup: a startup packet
 * naming a parameter outside PgBouncer's tracked set (with the default, empty ignore_startup_parameters)
 * is refused with "FATAL: unsupported startup parameter: <name>" (08P01); any other connection is piped
 * to the database as is. `url` is the database's URL through it; `seen` holds each startup's parameter names.
 *
 * @example const pooler = await startFakePgBouncer(db.url); startTestControlPlane({ databaseUrl: pooler.url });
 */
import { connect, createServer, type Socket } from "node:net";

/** The startup parameters PgBouncer takes without ignore_startup_parameters: its tracked ones plus identity. */
const ACCEPTED = new Set(["user", "database", "application_name", "client_encoding", "datestyle", "timezone", "standard_conforming_strings", "search_path"]);
const SSL_REQUEST = 80877103;

export interface FakePgBouncer {
  url: string;
  seen: string[][];
  close(): Promise<void>;
}

function fatal(message: string): Buffer {
  const fields = Buffer.concat([Buffer.from("SFATAL\0VFATAL\0C08P01\0M"), Buffer.from(message), Buffer.from("\0\0")]);
  const head = Buffer.alloc(5);
  head.write("E", 0);
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

export async function startFakePgBouncer(databaseUrl: string): Promise<FakePgBouncer> {
  const upstream = new URL(databaseUrl);
  const seen: string[][] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 8 || buffered.length < buffered.readInt32BE(0)) return;
      const length = buffered.readInt32BE(0);
      if (buffered.readInt32BE(4) === SSL_REQUEST) {
        buffered = buffered.subarray(8);
        client.write("N");
        return;
      }
      client.off("data", onData);
      // Name\0value\0 pairs, then a closing \0.
      const fields = buffered.subarray(8, length - 1).toString("utf8").split("\0").slice(0, -1);
      const names = fields.filter((_, i) => i % 2 === 0);
      seen.push(names);
      const refused = names.find((n) => !ACCEPTED.has(n.toLowerCase()));
      if (refused) {
        client.end(fatal(`unsupported startup parameter: ${refused}`));
        return;
      }
      const db = connect(Number(upstream.port || 5432), upstream.hostname, () => {
        db.write(buffered);
        client.pipe(db);
        db.pipe(client);
      });
      sockets.add(db);
      db.on("close", () => sockets.delete(db));
      db.on("error", () => client.destroy());
      client.on("error", () => db.destroy());
    };
    client.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.toString(),
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
