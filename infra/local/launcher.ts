/**
 * What `npm start` runs (infra/start.ts loads it once it has read its parent's pid): the whole system on
 * one laptop, on embedded defaults. Control plane on PGlite, the local echo vendor, a `us` and an `eu`
 * proxy, a demo tenant, alias and key; prints the endpoints and a copy-paste tour. State lives in
 * DATA_DIR (default `.data/`), so a second `npm start` comes back with the same tenant, key and tokens,
 * and with other ports the demo's echo deployments and the regions' publicUrl follow them
 * (refresh-demo-urls.ts).
 *
 * Environment (empty means unset; checked before anything starts, see launcher-env.ts): DATA_DIR,
 * HOST (127.0.0.1), CONTROL_PLANE_PORT (4000), US_PROXY_PORT (4001), EU_PROXY_PORT (4002),
 * ECHO_VENDOR_PORT (4100), DATABASE_URL (PostgreSQL instead of PGlite: the database then outlives
 * DATA_DIR, and starting over means dropping it too), ALLOW_PLAINTEXT_VENDOR_URLS (the control plane's:
 * needed when HOST is a public address, as the demo's echo deployment is plain http on it).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { startControlPlane } from "../../control-plane/main.ts";
import { startProxy, type RunningProxy } from "../../region-proxy/main.ts";
import { startEchoVendor } from "../echo-vendor/server.ts";
import { adminClient } from "./admin-client.ts";
import { emptySeedProgress, SeedCannotGoOn, seedDemo, type SeedProgress } from "./seed-demo.ts";
import { refreshDemoUrls } from "./refresh-demo-urls.ts";
import { readLocalState, writeLocalState, localStatePath, type LocalState } from "./local-state.ts";
import { printTour } from "./print-tour.ts";
import { databaseAdminTokens, describeDatabase } from "./database-admin-tokens.ts";
import { launcherEnv } from "./launcher-env.ts";
import { localProxyConfig } from "./local-proxy-config.ts";
import { BOOTSTRAP_TOKEN_FILE, readBootstrapToken } from "./read-bootstrap-token.ts";
import { whenParentGone } from "./when-parent-gone.ts";
import { isPortInUse, portInUse, takenPorts } from "./taken-ports.ts";
import { httpUrl } from "../../shared/http/http-url.ts";

/**
 * Starts the stack and runs it until a signal (or, run by npm or npx, its parent's exit) stops it.
 * `startedBy` is the parent's pid as infra/start.ts read it before any of this was loaded: a launcher left
 * behind while it was starting stops as soon as it has started (see shutdown).
 */
export async function launch(startedBy: number): Promise<void> {
  // Every variable checked before anything starts or is written: a bad one is named, and leaves nothing behind.
  const { dataDir, host, databaseUrl, allowPlaintextVendorUrls, ports } = (() => {
    try {
      return launcherEnv(process.env);
    } catch (error) {
      return refuse((error as Error).message);
    }
  })();
  const REGION_PORTS: Record<string, number> = { us: ports.us, eu: ports.eu };
  const PORT_VARIABLES = { CONTROL_PLANE_PORT: ports.controlPlane, US_PROXY_PORT: ports.us, EU_PROXY_PORT: ports.eu, ECHO_VENDOR_PORT: ports.echo };
  const REGION_VARIABLES: Record<string, keyof typeof PORT_VARIABLES> = { us: "US_PROXY_PORT", eu: "EU_PROXY_PORT" };
  // A port another program holds, refused before anything is made (DATA_DIR, a migrated database, a token).
  const taken = takenPorts(host, PORT_VARIABLES);
  if (taken.length > 0) refuse(taken.join("; "));
  const controlPlaneDir = join(dataDir, "control-plane");

  // launcherEnv refused a file in its place; what else stops it being made (no permission, a read-only disk) is one line too.
  await mkdir(dataDir, { recursive: true, mode: 0o700 }).catch((error: Error) => refuse(`DATA_DIR: cannot create ${dataDir}: ${error.message}`));
  const previous = await readLocalState(dataDir);
  // A first start that stopped after the control plane minted its token but before local-stack.json was
  // written: the token is still in the file the control plane handed it over in.
  const recovered = previous ? null : await readBootstrapToken(controlPlaneDir);
  const knownToken = previous?.adminToken ?? recovered;
  if (databaseUrl) {
    // Asked before the control plane starts: on a database that is not this DATA_DIR's, the start itself
    // (a new signing key and audit key, the configuration republished under them) would do the harm.
    const admins = await databaseAdminTokens(databaseUrl, knownToken).catch((error: Error) =>
      refuse(`cannot read the database ${describeDatabase(databaseUrl)} (DATABASE_URL): ${error.message}`),
    );
    if (admins === "unknown") {
      const known = previous ? `the one in ${localStatePath(dataDir)} is not among them` : recovered ? `the one in ${join(controlPlaneDir, BOOTSTRAP_TOKEN_FILE)} is not among them` : `there is no ${localStatePath(dataDir)}`;
      refuse(
        `the database ${describeDatabase(databaseUrl)} (DATABASE_URL) already has an admin token this launcher does not know (${known}); ` +
          `the database outlives ${dataDir}, so to start over drop that database and create it empty (or point DATABASE_URL at an empty one)`,
      );
    }
    // The other way round: the demo, the region tokens and the proxies' cached snapshots in DATA_DIR
    // belong to a database that is gone (dropped, or DATABASE_URL now names another one).
    if (admins === "empty" && (previous?.demo || Object.keys(previous?.seeding?.regionTokens ?? {}).length > 0)) {
      refuse(`the database ${describeDatabase(databaseUrl)} (DATABASE_URL) is empty, but ${dataDir} holds a demo seeded in another database; delete ${dataDir} to start over on this one`);
    }
  }
  const echoApiKey = previous?.echoApiKey ?? `echo_${randomBytes(12).toString("hex")}`;

  // What has started, stopped before a start that cannot go on is refused.
  const started: { stop(): Promise<unknown> }[] = [];
  const echo = await startOrRefuse("ECHO_VENDOR_PORT", () => startEchoVendor({ port: ports.echo, host, apiKey: echoApiKey }));
  const controlPlane = await startOrRefuse("CONTROL_PLANE_PORT", () =>
    startControlPlane({
      port: ports.controlPlane,
      host,
      databaseUrl,
      dataDir: controlPlaneDir,
      adminToken: knownToken,
      allowPlaintextVendorUrls,
    }),
  );
  const adminToken = knownToken ?? controlPlane.generatedAdminToken;
  if (!adminToken) {
    await controlPlane.stop();
    await echo.stop();
    refuse(`the control plane in ${dataDir} already has an admin token this launcher does not know; delete ${dataDir} to start over`);
  }

  const state: LocalState = previous ?? { adminToken, echoApiKey, regionTokens: {}, demo: null };
  // Kept before seeding: a start that stops from here on comes back with its token and what it seeded.
  if (!previous) await writeLocalState(dataDir, state);
  // The proxies' local URLs, named in residency refusals; a wildcard bind is reached through loopback. A
  // proxy on port 0 has none until it is bound: its region's is written once the proxies run (see below).
  const urls = {
    vendorUrl: echo.url,
    regionUrls: Object.fromEntries(Object.entries(REGION_PORTS).flatMap(([region, regionPort]) => (regionPort === 0 ? [] : [[region, httpUrl(host, regionPort)]]))),
  };
  const admin = adminClient(controlPlane.url, adminToken);
  if (!state.demo) {
    const resume = {
      progress: state.seeding ?? emptySeedProgress(),
      async save(progress: SeedProgress) {
        state.seeding = progress;
        await writeLocalState(dataDir, state);
      },
    };
    const seeded = await seedDemo(admin, { vendorUrl: urls.vendorUrl, regions: Object.keys(REGION_PORTS), regionUrls: urls.regionUrls }, resume).catch(async (error: Error) => {
      await controlPlane.stop();
      await echo.stop();
      const startOver = `delete ${dataDir}${databaseUrl ? ` and drop the database ${describeDatabase(databaseUrl)}` : ""} to start over`;
      return refuse(`seeding the demo failed: ${error.message}; ${error instanceof SeedCannotGoOn ? startOver : `npm start again goes on from there (or ${startOver})`}`);
    });
    state.regionTokens = seeded.regionTokens;
    state.demo = { tenantId: seeded.tenantId, keyId: seeded.keyId, keySecret: seeded.keySecret, alias: seeded.alias, deploymentIds: seeded.deploymentIds, urls };
    delete state.seeding;
    await writeLocalState(dataDir, state);
  } else {
    // Ports may differ from the start that seeded the demo: what it wrote follows them.
    const deploymentIds = await refreshDemoUrls(admin, state.demo, urls, (line) => console.log(line));
    // A region on port 0 was left as it was, and so is the record of what the launcher wrote there.
    const written = { ...urls, regionUrls: { ...state.demo.urls?.regionUrls, ...urls.regionUrls } };
    if (JSON.stringify({ deploymentIds, urls: written }) !== JSON.stringify({ deploymentIds: state.demo.deploymentIds, urls: state.demo.urls })) {
      state.demo = { ...state.demo, deploymentIds, urls: written };
      await writeLocalState(dataDir, state);
    }
  }

  // For this run only: the local proxies' GET /metrics, printed with the tour.
  const metricsToken = randomBytes(18).toString("base64url");
  const proxies: Record<string, RunningProxy> = {};
  for (const [region, regionPort] of Object.entries(REGION_PORTS)) {
    // A stable id per region (local-us, local-eu): a restart reuses the proxy's row in `regions { proxies }`.
    proxies[region] = await startOrRefuse(REGION_VARIABLES[region]!, () =>
      startProxy(localProxyConfig({ region, port: regionPort, host, dataDir, controlPlaneUrl: controlPlane.url, regionToken: state.regionTokens[region]!, trustedJwks: controlPlane.jwks, echoApiKey, metricsToken })),
    );
  }
  await waitForSnapshots(proxies);
  // The regions' URLs as bound: a proxy on port 0 is now on a port of its own.
  const bound = { vendorUrl: echo.url, regionUrls: Object.fromEntries(Object.entries(proxies).map(([region, proxy]) => [region, httpUrl(host, proxy.port)])) };
  if (JSON.stringify(bound) !== JSON.stringify(state.demo.urls)) {
    const deploymentIds = await refreshDemoUrls(admin, state.demo, bound, (line) => console.log(line));
    state.demo = { ...state.demo, deploymentIds, urls: bound };
    await writeLocalState(dataDir, state);
  }

  // The first Ctrl-C (or SIGTERM) stops gracefully and exits 0. A second one stops the proxies at once
  // (stopNow: in-flight requests are cut, usage they have not shipped ships at the next start) and exits
  // 130 (SIGINT) or 143 (SIGTERM), as the proxy run alone does; a third exits without waiting for anything.
  // Run by npm (or npx), a launcher whose parent is gone stops as on SIGTERM: npm was stopped and passed
  // the signal on only to the `sh -c` between them, which died of it, and nothing else would stop it.
  let signals = 0;
  let exitCode = 0;
  async function shutdown(signal: "SIGINT" | "SIGTERM", why: string = signal) {
    signals++;
    if (signals > 1) {
      exitCode = signal === "SIGINT" ? 130 : 143;
      if (signals > 2) process.exit(exitCode);
      console.log(`\n${signal} again: stopping now, without waiting for in-flight requests`);
      for (const proxy of Object.values(proxies)) void proxy.stopNow(`second signal (${signal})`);
      return;
    }
    console.log(`\n${why}: stopping proxies (in-flight requests finish, usage is flushed), then the control plane; Ctrl-C again stops at once`);
    await Promise.all(Object.values(proxies).map((proxy) => proxy.stop()));
    await controlPlane.stop();
    await echo.stop();
    process.exit(exitCode);
  }
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  if (process.env.npm_lifecycle_event) {
    const starter = process.env.npm_lifecycle_event === "npx" ? "npx" : "npm";
    whenParentGone(startedBy, () => {
      if (signals === 0) void shutdown("SIGTERM", `${starter}, which started this launcher, is gone`);
    });
  }
  // Only now: the banner says Ctrl-C stops everything, so the handlers must be in place when it shows.
  printTour({ controlPlaneUrl: controlPlane.url, adminToken, proxies, echoUrl: echo.url, state, statePath: localStatePath(dataDir), metricsToken, database: databaseUrl && describeDatabase(databaseUrl) });

  /** Ends a start that cannot go on: the reason on stderr, exit 1, no stack trace to read past. */
  function refuse(reason: string): never {
    console.error(`npm start: ${reason}`);
    process.exit(1);
  }

  /**
   * Starts one service; its port taken since takenPorts tried it (another program was quicker) stops what
   * had started and refuses in one line naming the variable. Any other failure is thrown as it was.
   */
  async function startOrRefuse<T extends { stop(): Promise<unknown> }>(variable: keyof typeof PORT_VARIABLES, start: () => Promise<T>): Promise<T> {
    const service = await start().catch(async (error: unknown) => {
      if (!isPortInUse(error)) throw error;
      for (const running of started.reverse()) await running.stop().catch(() => {});
      return refuse(portInUse(variable, PORT_VARIABLES[variable]));
    });
    started.push(service);
    return service;
  }

  async function waitForSnapshots(running: Record<string, RunningProxy>): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Object.values(running).some((proxy) => proxy.snapshotVersion() === 0)) {
      if (Date.now() > deadline) throw new Error("proxies did not load a snapshot within 15 s; see the log above");
      await Bun.sleep(100);
    }
  }
}
