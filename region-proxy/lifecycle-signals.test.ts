/**
 * The proxy run as the image runs it (`bun region-proxy/main.ts`), stopped by signals while requests
 * are in flight: what the clients get, what the usage events say, how the process exits.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createProxyFixture, waitFor, type ProxyFixture } from "./testing/proxy-fixture.ts";

let fx: ProxyFixture;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
});
afterAll(() => fx.cleanup());

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(" ");

interface Child {
  url: string;
  process: ReturnType<typeof Bun.spawn>;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
}

/** Starts main.ts on port 0 with the fixture's configuration and waits for its listening line. */
async function startChild(env: Record<string, string>): Promise<Child> {
  const config = fx.proxyConfig();
  const child = Bun.spawn([process.execPath, new URL("./main.ts", import.meta.url).pathname], {
    env: {
      PATH: process.env.PATH ?? "",
      REGION: config.region,
      CONTROL_PLANE_URL: config.controlPlaneUrl,
      REGION_TOKEN: config.regionToken,
      TRUSTED_JWKS: JSON.stringify(config.trustedJwks),
      DATA_DIR: config.dataDir,
      PORT: "0",
      ECHO_KEY: "sk-echo-test",
      CREDENTIAL_ENV_PREFIX: "ECHO_",
      ...env,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) out += decoder.decode(read.value);
  };
  void collect(child.stdout);
  void collect(child.stderr);
  try {
    await waitFor(() => /listening on http:\/\/\S+/.test(out), "the listening line", 10_000);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}; it printed:\n${out}`);
  }
  return { url: /listening on (http:\/\/\S+)/.exec(out)![1]!, process: child, output: () => out };
}

/** Resolves once the proxy answers /ready with 503: its stop has begun. */
const shuttingDown = (child: Child) =>
  waitFor(async () => (await fetch(`${child.url}/ready`).catch(() => null))?.status === 503, "/ready 503 after the signal");

const chat = (child: Child, requestId: string, body: Record<string, unknown>) =>
  fetch(`${child.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "x-request-id": requestId },
    body: JSON.stringify(body),
  });

test("SIGTERM while one unstreamed request is in flight: its answer reaches the client, its event says ok, and the proxy exits 0", async () => {
  const child = await startChild({ SHUTDOWN_GRACE_MS: "10000", USAGE_FLUSH_MS: "60000" });
  try {
    const callsBefore = fx.vendor.calls("slow");
    // 12 words: the vendor answers after 600 ms, well inside the grace period.
    const answer = chat(child, "unstreamed-at-sigterm", { model: "slow", messages: [{ role: "user", content: words(12) }] }).then(
      async (res) => ({ status: res.status, object: ((await res.json()) as { object?: string }).object }),
      (error: Error) => ({ status: 0, object: error.message }),
    );
    await waitFor(() => fx.vendor.calls("slow") === callsBefore + 1, "vendor called");
    child.process.kill("SIGTERM");
    expect(await answer).toEqual({ status: 200, object: "chat.completion" });
    expect(await child.process.exited).toBe(0);
    await waitFor(() => fx.origin.events().some((e) => e.requestId === "unstreamed-at-sigterm"), "event delivered");
    expect(fx.origin.events().find((e) => e.requestId === "unstreamed-at-sigterm")).toMatchObject({ status: "ok", errorCode: null });
  } finally {
    child.process.kill("SIGKILL");
  }
}, 30_000);

for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
  test(`a second ${signal} during the grace period does not wait for the stream still running: it ends with an error frame, one line, exit ${code}, and its usage event ships at the next start`, async () => {
    const dataDir = fx.freshDataDir();
    // A 60 s grace period and a 20 s stream: only the second signal can end this test in time.
    const child = await startChild({ SHUTDOWN_GRACE_MS: "60000", USAGE_FLUSH_MS: "60000", DATA_DIR: dataDir });
    const requestId = `stream-at-second-${signal}`;
    try {
      const res = await chat(child, requestId, { model: "slow", messages: [{ role: "user", content: words(400) }], stream: true });
      const reader = res.body!.getReader();
      // A few words streamed, so the event has output to charge.
      let text = "";
      while ((text.match(/"content":"[^"]/g) ?? []).length < 3) text += new TextDecoder().decode((await reader.read()).value);
      const reading = (async () => {
        for (let read = await reader.read(); !read.done; read = await reader.read()) text += new TextDecoder().decode(read.value);
        return "ended";
      })().catch((error: Error) => error.message);
      child.process.kill(signal);
      await shuttingDown(child);
      child.process.kill(signal);
      expect(await child.process.exited).toBe(code);
      expect(await reading).toBe("ended");
      expect(text.trim().split("\n\n").at(-1)).toContain('"code":"shutting_down"');
      expect(child.output().match(/shutdown: second signal \(SIG\w+\): not waiting for the 1 requests still running/g)).toHaveLength(1);
    } finally {
      child.process.kill("SIGKILL");
    }
    // Whatever its last flush did not ship is in its data dir, and the next proxy on it ships it.
    const next = await fx.startProxy({ dataDir });
    await waitFor(() => fx.origin.events().some((e) => e.requestId === requestId), "the stream's event delivered");
    const event = fx.origin.events().find((e) => e.requestId === requestId)!;
    expect(event).toMatchObject({ stream: true, status: "error", errorCode: "shutting_down" });
    expect(event.usage.outputTokens).toBeGreaterThan(0);
    await next.stop();
  }, 30_000);
}
