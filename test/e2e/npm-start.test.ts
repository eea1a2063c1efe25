/**
 * The README's first command, as a user runs it: `bun infra/start.ts` (what `npm start` calls) brings
 * up the control plane on PGlite, the echo vendor and both proxies, and prints a key that works
 * against the EU endpoint. A second start on the same data directory comes back with the same key,
 * and its proxies report the same ids (local-us, local-eu), so `regions { proxies }` lists each once.
 */
import { afterAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, launcherPorts } from "../support/npm-start.ts";
import { adminClient } from "../../infra/local/admin-client.ts";

const dataDir = await mkdtemp(join(tmpdir(), "gw-npm-start-"));
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const launchOn = (ports: Record<string, number>) => launch({ DATA_DIR: dataDir, ...ports });

test("npm start boots everything and prints a demo key that works on the EU endpoint; a restart keeps it", async () => {
  const ports = launcherPorts();
  const first = await launchOn(ports);
  try {
    const key = /demo key\s+(gwk_\S+)/.exec(first.output)?.[1];
    const adminToken = /admin token\s+(admtok_\S+)/.exec(first.output)?.[1];
    expect(key).toBeDefined();
    expect(adminToken).toBeDefined();
    expect(first.output).toContain(`http://127.0.0.1:${ports.EU_PROXY_PORT}/v1`);
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${ports.EU_PROXY_PORT}/v1`, apiKey: key!, maxRetries: 0 });
    const reply = await client.chat.completions.create({ model: "support-fast", messages: [{ role: "user", content: "hello tour" }] });
    expect(reply.choices[0]!.message.content).toBe("Echo: hello tour");
    // The printed metrics line works: the request just made is counted.
    const metricsToken = /\/metrics -H "Authorization: Bearer (\S+)"/.exec(first.output)?.[1];
    expect(metricsToken).toBeDefined();
    const metrics = await fetch(`http://127.0.0.1:${ports.EU_PROXY_PORT}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('gateway_http_requests_total{route="/v1/chat/completions",status="200"} 1');
    first.child.kill("SIGTERM");
    expect(await first.child.exited).toBe(0);

    const second = await launchOn(ports);
    try {
      expect(second.output).toContain(key!);
      const again = await client.chat.completions.create({ model: "support-fast", messages: [{ role: "user", content: "again" }] });
      expect(again.choices[0]!.message.content).toBe("Echo: again");
      // The restarted proxies reuse their rows: no first-start proxy left behind at an old version.
      const admin = adminClient(`http://127.0.0.1:${ports.CONTROL_PLANE_PORT}`, adminToken!);
      const { regions } = await admin.request<{ regions: { items: { name: string; proxies: { id: string }[] }[] } }>(`{ regions { items { name proxies { id } } } }`);
      expect(Object.fromEntries(regions.items.map((r) => [r.name, r.proxies.map((p) => p.id)]))).toEqual({ eu: ["local-eu"], us: ["local-us"] });
    } finally {
      second.child.kill("SIGTERM");
      expect(await second.child.exited).toBe(0);
    }
  } finally {
    first.child.kill("SIGKILL");
  }
}, 120_000);
