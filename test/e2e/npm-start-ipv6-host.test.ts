/**
 * `npm start` with HOST=::1 or HOST=::. The control plane, the proxies and the echo vendor reported
 * their URLs as http://::1:<port>, which no URL parser takes: the first start died with "TypeError:
 * Invalid URL" in the admin client, after the control plane had minted its token. An IPv6 host is
 * bracketed now, and a wildcard bind is reached (and printed) through loopback.
 */
import { afterAll, expect, test } from "bun:test";
import { launch, stopLauncher, launcherPorts } from "../support/npm-start.ts";
import { tempDirs } from "../support/temp-dirs.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

const chat = (url: string, key: string) =>
  fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "support-fast", messages: [{ role: "user", content: "v6" }] }),
  });

for (const [host, printed] of [["::1", "[::1]"], ["::", "[::1]"]] as const) {
  test(`HOST=${host} starts, prints http://${printed}:<port> URLs, and the demo key works on them`, async () => {
    const ports = launcherPorts();
    const { child, output } = await launch({ DATA_DIR: dirs.make("gw-npm-start-v6-"), HOST: host, ...ports });
    try {
      expect(output).toContain(`http://${printed}:${ports.CONTROL_PLANE_PORT}/graphql`);
      expect(output).toContain(`http://${printed}:${ports.EU_PROXY_PORT}/v1`);
      const key = /demo key\s+(gwk_\S+)/.exec(output)![1]!;
      const reply = await chat(`http://${printed}:${ports.EU_PROXY_PORT}/v1`, key);
      expect(reply.status).toBe(200);
    } finally {
      await stopLauncher(child);
    }
  }, 90_000);
}
