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
