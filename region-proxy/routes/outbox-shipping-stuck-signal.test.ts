/**
 * Review rg #3: while the control plane refuses or cannot be reached for usage, nothing on the proxy's
 * /health or /metrics says shipping is failing or how old the backlog is: /health stays "ok" until the
 * outbox reaches its 5M-event cap (hours), and /metrics has only a count (indistinguishable, at low
 * traffic, from a healthy outbox). The age of the oldest unshipped event is computed (oldestUnshippedAgeMs)
 * but only sent to the control plane, which is exactly who is unreachable.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import type { ProxyDeps } from "../deps.ts";
import { metrics } from "./metrics.ts";
import { createProxyMetrics } from "../metrics/proxy-metrics.ts";
import { startOutboxThread } from "../outbox/outbox-thread.ts";
import { waitFor } from "../testing/proxy-fixture.ts";
import { closedUrl } from "../../test/support/ports.ts";

const root = mkdtempSync(join(tmpdir(), "rv-rg-stuck-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("/metrics exposes how old the oldest unshipped usage event is while shipping fails", async () => {
  const thread = await startOutboxThread({ dataDir: join(root, "d"), controlPlaneUrl: closedUrl(), regionToken: "t", proxyId: "p", flushIntervalMs: 50 }, () => {});
  try {
    await thread.append({ eventId: "evt_1", requestId: "req_1" } as unknown as UsageEvent);
    // Each failed round is counted (50 ms, then backing off): wait for two, and for the event to be a second old.
    await waitFor(() => thread.status().flushFailures >= 2 && thread.oldestUnshippedAgeMs() >= 1_000, "two failed shipping rounds, the event a second old");
    const deps = {
      metricsToken: "metrics-token-0123456789",
      region: "eu",
      current: { version: () => 1, ageSeconds: () => 0, controlPlaneReachable: false },
      limits: { degraded: () => false },
      breakerDegraded: () => false,
      inFlight: { size: () => 0 },
      usageOutbox: () => thread.status(),
      oldestUnshippedAgeMs: () => thread.oldestUnshippedAgeMs(),
      metrics: createProxyMetrics(),
    } as unknown as ProxyDeps;
    const text = await metrics(new Request("http://x/metrics", { headers: { authorization: "Bearer metrics-token-0123456789" } }), "req", deps).text();
    const value = (name: string) => Number(text.split("\n").find((l) => l.startsWith(`${name} `))?.split(" ").pop());
    expect(value("gateway_usage_outbox_oldest_unshipped_seconds")).toBeGreaterThanOrEqual(1);
    expect(value("gateway_usage_outbox_flush_failures_total")).toBeGreaterThanOrEqual(2);
  } finally {
    await thread.stop();
  }
});
