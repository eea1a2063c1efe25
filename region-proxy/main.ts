/**
 * Wiring: config → pinned keys → local KV → last-known-good snapshot → snapshot loop + usage flusher
 * → serve → graceful stop. Run directly it reads the environment (config.ts), logs `listening on <url>`
 * (as every line, text `[proxy <region>] …` or LOG_FORMAT=json) and stops gracefully on SIGTERM/SIGINT
 * (a second one: at once, stopNow).
 */
import { newId } from "../shared/ids.ts";
import { consoleLog, consoleRefusal } from "../shared/logging/console-log.ts";
import { importTrustedKeys } from "../shared/snapshot/verify.ts";
import { DEFAULT_VENDOR_TIMEOUTS, loadConfig, type ProxyConfig } from "./config.ts";
import { createCredentialResolver } from "./credentials/resolve-credential.ts";
import type { ProxyDeps } from "./deps.ts";
import { InFlight } from "./in-flight.ts";
import { endRefusedStreams } from "./pipeline/recheck-streams.ts";
import { createProxyMetrics } from "./metrics/proxy-metrics.ts";
import { openProxyKv } from "./kv/open-kv.ts";
import { errorResponse } from "./openai/error-response.ts";
import { startOutboxThread } from "./outbox/outbox-thread.ts";
import { createLeasedLimits } from "./leases/leased-limits.ts";
import { createBreaker } from "./breaker/create-breaker.ts";
import type { Limits } from "./pipeline/limits.ts";
import type { DeploymentHealth } from "./providers/deployment-health.ts";
import { adapterFor } from "./providers/registry.ts";
import { deploymentTotalMs } from "./providers/walk-chain.ts";
import { createFetchHandler } from "./server.ts";
import { loadStoredSnapshot } from "./snapshot/apply-snapshot.ts";
import { CurrentSnapshot } from "./snapshot/current.ts";
import { startSnapshotLoop } from "./snapshot/loop.ts";
import { deploymentIdOf } from "./breaker/circuit-key.ts";
import { idleSecondsUntil } from "./routes/idle-seconds.ts";
import { httpUrl } from "../shared/http/http-url.ts";
import { DEFAULT_BODY_READ_TIMEOUT_MS } from "../shared/http/read-body-bytes.ts";
import { startStoppingOnSignals } from "../shared/process/stop-on-signals.ts";

export type { ProxyConfig } from "./config.ts";

export interface RunningProxy {
  url: string;
  port: number;
  proxyId: string;
  /** 0 until a verified snapshot is loaded. */
  snapshotVersion(): number;
  /**
   * Graceful: stop accepting, let in-flight requests/streams finish (bounded by shutdownGraceMs), then cut
   * the rest and wait (bounded) for them to settle, so each still gets its usage event; flush outbox, close KV.
   */
  stop(): Promise<void>;
  /**
   * As stop(), without waiting for in-flight work (a second SIGTERM/SIGINT): what still runs is cut at
   * once, the connections closed, and the outbox given only the time to commit the events it was
   * handed (durable on disk, they ship at the next start), not its last flush to the control plane.
   * Hurries a stop() already running; logs one line naming `why`. Resolves when stop() does.
   */
  stopNow(why: string): Promise<void>;
}

/**
 * Wiring a caller may replace (tests, or a shared Redis breaker). By default the proxy runs the real
 * limits enforcer and circuit breaker (both shared through Redis when `redisUrl` is set, in-process otherwise).
 */
export interface ProxyExtras {
  limits?: Limits;
  health?: DeploymentHealth;
}

const FIRST_POLL_WAIT_MS = 2_000;
/** How long a stop waits, after closing the connections past the grace period, for the cut requests to settle. */
const SETTLE_AFTER_CLOSE_MS = 2_000;
/** The least time a stop gives Bun to write the answers of the work that ended, even at the grace period's very end. */
const WRITE_ANSWERS_MS = 1_000;
/** How long a hurried stop (stopNow) waits for the outbox to commit what it was handed (milliseconds when the disk is well). */
const COMMIT_WAIT_MS = 2_000;

/** True when `work` settles within `ms`, false once `ms` passed first. */
function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([work.then(() => true, () => true), late]).finally(() => clearTimeout(timer));
}

/** Where a proxy's lines go unless `config.log` says otherwise: stdout, as `config.logFormat` says. */
function proxyLog(config: ProxyConfig): (line: string) => void {
  return config.log ?? consoleLog(config.logFormat ?? "text", { service: "proxy", region: config.region }, `[proxy ${config.region}] `);
}

export async function startProxy(config: ProxyConfig, extras: ProxyExtras = {}): Promise<RunningProxy> {
  const log = proxyLog(config);
  const proxyId = config.proxyId ?? newId("prx");
  // loadConfig checks each key; this names the setting for a programmatic config it did not read.
  const trusted = await importTrustedKeys(config.trustedJwks).catch((error: Error) => {
    throw new Error(`trusted JWKS (TRUSTED_JWKS / TRUSTED_JWKS_FILE) cannot be pinned: ${error.message}`);
  });
  // What has started so far, stopped in reverse order when a later step fails: nothing a failed start
  // opened (KV handles, the outbox thread and its lock, timers, connections) may outlive it.
  const started: (() => unknown)[] = [];
  const stopStarted = async () => {
    for (const stopPart of started.reverse()) await Promise.resolve().then(stopPart).catch(() => {});
  };
  const kv = await openProxyKv(config.dataDir, { log });
  started.push(() => kv.close());
  const current = new CurrentSnapshot();
  const applyDeps = { region: config.region, trusted, current, kv, log };
  const totalMs = config.totalTimeoutMs ?? DEFAULT_VENDOR_TIMEOUTS.totalMs;
  // Before the limits: a reservation waiting for its lease is ended by the stop's cut (InFlight.limitWaits).
  const inFlight = new InFlight();
  let parts: Awaited<ReturnType<typeof startParts>>;
  try {
    parts = await startParts();
  } catch (error) {
    await stopStarted();
    throw error;
  }
  const { outbox, loop, ownLimits, ownBreaker } = parts;

  async function startParts() {
    const stored = await loadStoredSnapshot(applyDeps);
    if (stored === "swapped") log(`serving stored snapshot version ${current.version()} until the control plane answers`);
    // The usage outbox (KV commits, shipping) runs on its own thread, off the request path.
    const outbox = await startOutboxThread({ dataDir: config.dataDir, controlPlaneUrl: config.controlPlaneUrl, regionToken: config.regionToken, proxyId, flushIntervalMs: config.usageFlushMs ?? 1000, maxStoredEvents: config.usageOutboxMaxEvents }, log);
    started.push(() => outbox.stop());
    const loop = startSnapshotLoop({ ...applyDeps, controlPlaneUrl: config.controlPlaneUrl, regionToken: config.regionToken, proxyId, pollMs: config.snapshotPollMs ?? 1000, oldestUnshippedAgeMs: () => outbox.oldestUnshippedAgeMs(), downloadTimeoutMs: config.snapshotDownloadTimeoutMs, maxBytes: config.snapshotMaxBytes });
    started.push(() => loop.stop());
    await Promise.race([loop.pollOnce(), Bun.sleep(FIRST_POLL_WAIT_MS)]);
    const ownLimits = extras.limits ? null : await createLeasedLimits({ region: config.region, redisUrl: config.redisUrl, replicaShare: config.replicaShare, countersTimeoutMs: config.countersTimeoutMs, log, controlPlaneUrl: config.controlPlaneUrl, regionToken: config.regionToken, proxyId, leaseWaitEnds: inFlight.limitWaits });
    started.push(() => ownLimits?.close());
    // A probe may run as long as its deployment's calls: its half-open slot must not lapse while it is
    // in flight, or one more request is let through as a second probe every lapse (on any replica: the
    // slot is shared in Redis). A deployment may set a total of its own (timeouts.totalMs, up to an
    // hour), so the slot is held for the probed deployment's total in the snapshot held when the probe
    // is granted, else the proxy's default. A replica that dies mid-probe keeps the deployment's
    // replicas off it for at most that total: the time its operator gave one of its calls.
    // The breaker's keys are circuits (circuit-key.ts): the deployment is found by the id each names.
    const probeTimeoutMs = (circuit: string) => deploymentTotalMs(current.get()?.snapshot.deployments[deploymentIdOf(circuit)], totalMs);
    const ownBreaker = extras.health ? null : await createBreaker({ region: config.region, redisUrl: config.redisUrl, probeTimeoutMs, ...config.breaker, log });
    started.push(() => ownBreaker?.close());
    return { outbox, loop, ownLimits, ownBreaker };
  }
  let shuttingDown = false;
  // A kill switch acts on running streams too: each newer snapshot ends those whose key it refuses.
  current.onSwap = (loaded) => endRefusedStreams(inFlight, loaded.snapshot, log);
  const metrics = createProxyMetrics();
  const deps: ProxyDeps = {
    region: config.region,
    proxyId,
    current,
    limits: extras.limits ?? ownLimits!.enforcer,
    health: extras.health ?? ownBreaker!.breaker,
    breakerDegraded: () => ownBreaker?.degraded() ?? false,
    adapterFor,
    // Never the whole process environment: a credentialRef must not name the proxy's own secrets.
    resolveCredential: createCredentialResolver(config.credentials ?? {}, { filesDir: config.credentialsDir }),
    appendUsage: (event, byDeployment) => {
      metrics.settled(event, byDeployment);
      outbox.record(event);
    },
    usageOutbox: () => outbox.status(),
    inFlight,
    metrics,
    metricsToken: config.metricsToken ?? null,
    maxBodyBytes: config.maxBodyBytes ?? 1_048_576,
    bodyReadTimeoutMs: config.bodyReadTimeoutMs ?? DEFAULT_BODY_READ_TIMEOUT_MS,
    allowPrivateMediaUrls: config.allowPrivateMediaUrls ?? false,
    timeouts: { firstByteMs: config.firstByteTimeoutMs ?? DEFAULT_VENDOR_TIMEOUTS.firstByteMs, totalMs },
    isShuttingDown: () => shuttingDown,
    log,
  };

  let server: ReturnType<typeof Bun.serve>;
  try {
    server = serve();
    deps.idleTimeoutFor = (request, seconds) => server.timeout(request, seconds);
  } catch (error) {
    await stopStarted();
    throw new Error(`proxy ${config.region} cannot listen on ${config.host ?? "127.0.0.1"}:${config.port}: ${(error as Error).message}`);
  }

  function serve() {
    return Bun.serve({
      port: config.port,
      hostname: config.host ?? "127.0.0.1",
      development: false,
      // Bun binds with SO_REUSEPORT unless told not to: a second process on this port (an old replica, a
      // typo in PORT) would start without an error and take part of the traffic. A port in use must
      // fail the start.
      reusePort: false,
      // Long enough for a slow vendor within the default request deadline (a stream gets its own:
      // chat-completions.ts, deps.idleTimeoutFor).
      idleTimeout: idleSecondsUntil(Date.now() + totalMs),
      // Bun's own limit (128 MiB by default) would answer a larger declared body with a bare 413 and no
      // JSON before the handler runs; the body read (pipeline/admit-request.ts) refuses it in OpenAI's error shape without reading it.
      maxRequestBodySize: Number.MAX_SAFE_INTEGER,
      fetch: createFetchHandler(deps),
      error(error) {
        log(`unhandled server error: ${error.stack ?? String(error)}`);
        return errorResponse({ kind: "internal_error" }, newId("req"));
      },
    });
  }

  let stopping: Promise<void> | null = null;
  // stopNow(): ends every wait for in-flight work and the outbox's last flush.
  let hurriedBy: string | null = null;
  let stopped = false;
  let hurry!: () => void;
  const hurried = new Promise<false>((resolve) => (hurry = () => resolve(false)));

  async function stop(): Promise<void> {
    shuttingDown = true;
    const graceMs = config.shutdownGraceMs ?? 10_000;
    const graceEnd = Date.now() + graceMs;
    const drained = (await Promise.race([inFlight.idle(graceMs), hurried])) && !hurriedBy;
    // A request's work ends when its handler returns the answer, before Bun has written it. Bun's
    // graceful stop writes it: it stops listening, closes idle keep-alive connections at once and each
    // busy one after its answer, and resolves once every connection is closed. Only what is still open
    // when the grace period ends (and at least WRITE_ANSWERS_MS after the work ended) is closed by force.
    const closed = drained && (await settlesWithin(Promise.race([server.stop(), hurried]), Math.max(graceEnd - Date.now(), WRITE_ANSWERS_MS))) && !hurriedBy;
    if (!closed) {
      // A hurried stop has said why in its own line (stopNow).
      if (!hurriedBy && !drained) log(`shutdown: ${inFlight.size()} requests still running after the grace period; ending them (a stream with an error frame, a request waiting on its vendor, in its limits step or still receiving its body with a 503 shutting_down)`);
      else if (!hurriedBy) log("shutdown: connections still open after the grace period; closing them");
      // What still runs is ended by the gateway, not left to a reset: each stream writes its final error
      // frame, each vendor walk aborts its call and answers 503 shutting_down, and each settles as
      // error / shutting_down (routes/stream-response.ts, routes/settler.ts cutByStop); a request whose body
      // is still being read, or whose limits step still waits, is answered 503 shutting_down too (InFlight.bodyReads,
      // InFlight.limitWaits; nothing to settle). Bun writes those
      // last answers and closes their connections (graceful stop, bounded); then the rest is closed.
      inFlight.cut();
      await settlesWithin(server.stop(), WRITE_ANSWERS_MS);
    }
    // Closing the connections aborts every open request's signal (Bun): what the cut could not end (a
    // stream whose client reads nothing, its socket full) ends now, and its usage event must reach the
    // outbox before the outbox stops, so wait (bounded) for those settles first.
    await server.stop(true);
    if (!(await inFlight.idle(SETTLE_AFTER_CLOSE_MS))) log(`shutdown: ${inFlight.size()} requests still not settled ${SETTLE_AFTER_CLOSE_MS} ms after their connections were closed; their usage events may be lost`);
    await loop.stop();
    await stopOutbox();
    await ownLimits?.close();
    await ownBreaker?.close();
    kv.close();
    stopped = true;
    log("stopped");
  }

  /**
   * Commits what the outbox was handed, ships what it can (bounded) and ends its thread. Hurried, before
   * or during its last flush (a second signal while the control plane holds that flush), it waits only
   * for the commits: committed events are on disk and ship at the next start.
   */
  async function stopOutbox(): Promise<void> {
    const outboxStopped = outbox.stop();
    if (!hurriedBy) await Promise.race([outboxStopped, hurried]);
    if (!hurriedBy) return outboxStopped;
    const committed = (async () => {
      while (outbox.status().unconfirmedEvents > 0) await Bun.sleep(10);
    })();
    await settlesWithin(Promise.race([outboxStopped, committed]), COMMIT_WAIT_MS);
  }

  return {
    url: httpUrl(server.hostname!, server.port!),
    port: server.port as number,
    proxyId,
    snapshotVersion: () => current.version(),
    stop: () => (stopping ??= stop()),
    stopNow(why) {
      if (!hurriedBy && !stopped) {
        hurriedBy = why;
        log(`shutdown: ${why}: not waiting for the ${inFlight.size()} requests still running; closing every connection, and what the usage outbox has not shipped ships at the next start`);
        hurry();
      }
      return (stopping ??= stop());
    },
  };
}

if (import.meta.main) {
  let config: ProxyConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    consoleRefusal(process.env.LOG_FORMAT, { service: "proxy", ...(process.env.REGION ? { region: process.env.REGION } : {}) }, (error as Error).message);
    process.exit(2);
  }
  const log = proxyLog(config);
  // Installed before the start, which takes seconds (the first poll, Redis connects, KV checks): the image
  // runs Bun as PID 1, which ignores a signal it has no handler for. A first signal during the start stops
  // the proxy as soon as the start completes, before it serves; a second exits at once (130/143). Once
  // serving, a second signal stops at once (stopNow).
  // A start that fails past the configuration (a data dir another proxy holds, a port in use): one line, not a trace.
  const proxy = await startStoppingOnSignals(() => startProxy({ ...config, log }), { log }).catch((error: Error) => {
    consoleRefusal(process.env.LOG_FORMAT, { service: "proxy", region: config.region }, `region proxy ${config.region} cannot start: ${error.message.replace(/\s*\n\s*/g, " ")}`);
    process.exit(1);
  });
  log(`listening on ${proxy.url}`);
}
