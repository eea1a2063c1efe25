import { expect, test } from "bun:test";
import { closedUrl, serveAgain } from "./ports.ts";

const options = (port: number) => ({ port, hostname: "127.0.0.1", development: false, fetch: () => new Response("served") });
/** Something else holding a port (a plain listening socket, without SO_REUSEPORT). */
const hold = () => Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });

test("closedUrl: nothing answers there", async () => {
  expect(await fetch(closedUrl()).then(() => "answered", () => "refused")).toBe("refused");
});

test("serveAgain waits for a port still held a moment, then binds it", async () => {
  const holder = hold();
  const port = holder.port;
  let freed = false;
  void Bun.sleep(150).then(() => {
    holder.stop(true);
    freed = true;
  });
  const server = await serveAgain(options(port));
  try {
    expect(freed).toBe(true); // it could not bind before
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("served");
  } finally {
    await server.stop(true);
  }
});

test("serveAgain gives up with the bind error when the port stays taken", async () => {
  const holder = hold();
  try {
    await expect(serveAgain(options(holder.port), 3, 10)).rejects.toMatchObject({ code: "EADDRINUSE" });
  } finally {
    holder.stop(true);
  }
});
