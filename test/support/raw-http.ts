/**
 * One raw HTTP exchange over TCP, for requests no HTTP client will send (no Host, HTTP/1.0, pipelined):
 * writes `bytes`, and returns everything the server sent before it closed the connection, or what it
 * had sent when `timeoutMs` passed.
 *
 * @example expect((await rawExchange(port, "GET /health HTTP/1.0\r\n\r\n")).slice(0, 12)).toBe("HTTP/1.1 200");
 */
import { connect } from "node:net";

export function rawExchange(port: number, bytes: string, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(received);
    }, timeoutMs);
    socket.on("data", (chunk) => (received += chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on("connect", () => socket.write(bytes));
  });
}

export interface TimedExchange {
  /** All the server sent, once it closed the connection (or the wait ended). */
  received: string;
  closed: boolean;
  /** Milliseconds from the first write to the close (or the wait's end). */
  afterMs: number;
}

/**
 * Writes `head`, then `pieces` one every `everyMs` while the connection is open (a body trickled or
 * stalled), and waits up to `waitMs` for the server to close it: what it sent, and when it closed.
 *
 * @example const sent = await timedExchange(port, `POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{`, [], 0, 4_000);
 */
export function timedExchange(port: number, head: string, pieces: string[], everyMs: number, waitMs: number): Promise<TimedExchange> {
  return new Promise((resolve) => {
    let received = "";
    let closed = false;
    let startedMs = 0;
    const socket = connect({ port, host: "127.0.0.1" }, async () => {
      startedMs = performance.now();
      socket.write(head);
      for (const piece of pieces) {
        await Bun.sleep(everyMs);
        if (closed || socket.destroyed) return;
        socket.write(piece);
      }
    });
    const done = () => resolve({ received, closed, afterMs: performance.now() - startedMs });
    socket.on("data", (chunk) => (received += chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      closed = true;
      clearTimeout(timer);
      done();
    });
    const timer = setTimeout(() => {
      socket.destroy();
      done();
    }, waitMs);
  });
}
