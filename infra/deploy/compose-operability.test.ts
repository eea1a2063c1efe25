/**
 * compose.yaml as an operator follows its header's steps. No Docker daemon here: the file is read as
 * Compose would read it.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { configFromEnv } from "../../control-plane/config.ts";

interface Service {
  environment?: Record<string, string>;
  healthcheck?: { test?: unknown; start_period?: string };
  depends_on?: Record<string, { condition?: string }> | string[];
}

const text = await Bun.file(join(import.meta.dir, "compose.yaml")).text();
const compose = Bun.YAML.parse(text) as { services: Record<string, Service> };
const header = text.slice(0, text.search(/^[^#]/m));
const dockerfile = await Bun.file(join(import.meta.dir, "Dockerfile")).text();
/** The image's Bun binary, the first word of its exec-form CMD (deploy-files.test.ts checks it is the real one). */
const imageBun = (JSON.parse(/^CMD (.+)$/m.exec(dockerfile)![1]!) as string[])[0]!;

/** A service's health check command, run here with this Bun in place of the image's, against `port`. */
async function runHealthcheck(name: string, port: number): Promise<number> {
  const command = compose.services[name]!.healthcheck!.test as string[];
  const child = Bun.spawn(command.slice(1).map((word) => (word === imageBun ? process.execPath : word)), {
    env: { PATH: process.env.PATH ?? "", ...compose.services[name]!.environment, PORT: String(port) },
    stdout: "ignore",
    stderr: "ignore",
  });
  return child.exited;
}

/** A stand-in for a service: answers `path` with `status`, and anything else with 404. */
function standIn(path: string, status: number) {
  return Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: (req) => new Response(null, { status: new URL(req.url).pathname === path ? status : 404 }) });
}

test("a GW_CRED_* vendor key put in .env, as the header says, reaches the proxy under the same name", () => {
  // The proxies got GW_CRED_OPENAI_EU from ${OPENAI_EU_API_KEY:-}, a name said nowhere: GW_CRED_OPENAI_EU=sk-…
  // in .env reached no container, and the proxy started with an empty credential.
  expect(header).toContain("GW_CRED_");
  const credentials = Object.entries(compose.services).flatMap(([name, service]) =>
    Object.entries(service.environment ?? {})
      .filter(([variable]) => variable.startsWith("GW_CRED_"))
      .map(([variable, value]) => ({ name, variable, value })),
  );
  expect(credentials.length).toBeGreaterThan(0);
  for (const { name, variable, value } of credentials) expect(value, `${name}: ${variable}`).toBe(`\${${variable}:-}`);
});

test("BUDGET_WEBHOOK_URL and BUDGET_WEBHOOK_SECRET put in .env, as the header says, reach the control plane; left out, they are unset", () => {
  // Neither was passed: a budget webhook set in .env reached no container, and alerts were only listed.
  const environment = compose.services["control-plane"]!.environment!;
  for (const variable of ["BUDGET_WEBHOOK_URL", "BUDGET_WEBHOOK_SECRET"]) {
    expect(header).toContain(variable);
    expect(environment[variable], variable).toBe(`\${${variable}:-}`);
  }
  // Compose hands an unset one over empty: the control plane takes that as no webhook, not as a bad URL.
  const config = configFromEnv({ BUDGET_WEBHOOK_URL: "", BUDGET_WEBHOOK_SECRET: "" });
  expect([config.budgetWebhookUrl, config.budgetWebhookSecret]).toEqual([null, null]);
});

test("each service built from the image has a health check on its own readiness endpoint, run with the image's Bun", async () => {
  // README: the control plane's GET /health is its readiness probe (503 without its database); a proxy's is
  // GET /ready (503 until it holds a verified snapshot, and while it stops). Without one `docker ps` never
  // showed either as unhealthy. The image has no curl: the check is a line of Bun, exiting 0 only on a 200.
  const wants: Record<string, string> = { "control-plane": "/health", "proxy-eu": "/ready", "proxy-us": "/ready" };
  for (const [name, path] of Object.entries(wants)) {
    const command = compose.services[name]!.healthcheck?.test;
    expect(Array.isArray(command) && command[0] === "CMD" && command[1] === imageBun, `${name}: ["CMD", "${imageBun}", ...], got ${JSON.stringify(command)}`).toBe(true);
    expect(JSON.stringify(command), `${name}: no $, which Compose would interpolate`).not.toContain("$");
    for (const [status, exit] of [
      [200, 0],
      [503, 1],
    ] as const) {
      const server = standIn(path, status);
      try {
        expect(await runHealthcheck(name, server.port!), `${name} answering ${status} on ${path}`).toBe(exit);
      } finally {
        server.stop(true);
      }
    }
  }
});

test("a health check fails, not hangs, when nothing answers on the service's port", async () => {
  const server = standIn("/", 200);
  const port = server.port!;
  server.stop(true);
  expect(await runHealthcheck("proxy-eu", port)).not.toBe(0);
});

test("the control plane waits for PostgreSQL to accept connections over TCP, not just for its container to start", () => {
  // depends_on: [postgres] only ordered container starts: on a fresh volume postgres:16 first runs initdb
  // (with a server on its Unix socket only), the control plane's first connection was refused and it exited
  // 1 and restarted until the database was up.
  const controlPlane = compose.services["control-plane"]!;
  const dependsOn = controlPlane.depends_on as Record<string, { condition?: string }>;
  expect(Array.isArray(dependsOn), "depends_on as a map, which carries conditions").toBe(false);
  expect(dependsOn.postgres?.condition).toBe("service_healthy");
  const postgres = compose.services.postgres!;
  const check = postgres.healthcheck?.test as string[];
  expect(check.slice(0, 2)).toEqual(["CMD", "pg_isready"]);
  const option = (flag: string) => check[check.indexOf(flag) + 1];
  // TCP: initdb's temporary server listens on no address, so a check over the socket would pass too early.
  expect(option("-h")).toBe("127.0.0.1");
  const database = new URL(controlPlane.environment!.DATABASE_URL!.replace(/\$\{[^}]+\}/g, "x"));
  expect(option("-U")).toBe(database.username);
  expect(option("-d")).toBe(database.pathname.slice(1));
  expect(option("-d")).toBe((postgres.environment as Record<string, string>).POSTGRES_DB);
});

test("a proxy starts without waiting for the control plane: it serves the snapshot it stored", () => {
  for (const name of ["proxy-eu", "proxy-us"]) {
    const dependsOn = compose.services[name]!.depends_on ?? [];
    expect(Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn), name).not.toContain("control-plane");
  }
});
