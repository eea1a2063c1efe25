/**
 * takenPorts: a HOST that cannot be listened on is one line naming HOST, not one line per port saying
 * to set that port's variable to another port (no other port would do): a name that does not resolve,
 * an address this machine does not have, an IPv6 address written bracketed as in a URL.
 */
import { afterAll, expect, test } from "bun:test";
import { freePort, freePorts } from "../../test/support/ports.ts";
import { takenPorts } from "./taken-ports.ts";

const held = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
afterAll(() => held.stop(true));

for (const host of ["no-such-host.invalid", "[::1]", "192.0.2.1"]) {
  test(`HOST ${host}: one line naming HOST, not "set <PORT> to another port"`, () => {
    const [controlPlanePort, usProxyPort] = freePorts(2) as [number, number];
    const problems = takenPorts(host, { CONTROL_PLANE_PORT: controlPlanePort, US_PROXY_PORT: usProxyPort });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toStartWith(`HOST ${host} `);
    expect(problems[0]).not.toContain("PORT");
  });
}

test("a bracketed IPv6 HOST is told to drop the brackets", () => {
  expect(takenPorts("[::1]", { CONTROL_PLANE_PORT: 0 })).toEqual(["HOST [::1] is an IPv6 address written with brackets, as in a URL; write it without them (HOST=::1)"]);
});

test("on a usable HOST, a port another program holds is named by its variable; port 0 and free ports pass", () => {
  expect(takenPorts("127.0.0.1", { CONTROL_PLANE_PORT: 0, US_PROXY_PORT: freePort(), EU_PROXY_PORT: held.port })).toEqual([`EU_PROXY_PORT ${held.port} is in use by another program; set EU_PROXY_PORT to a free port`]);
});
