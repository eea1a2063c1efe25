/**
 * compose.yaml and the Dockerfile agree: there is no Docker daemon in the test environment, so these
 * read both files and check what a `docker compose up` would otherwise only show as a crash loop.
 */
import { describe, expect, test } from "bun:test";
import { realpathSync } from "node:fs";
import { join, posix, relative, resolve } from "node:path";

interface Service {
  build?: { dockerfile?: string };
  command?: unknown;
  entrypoint?: unknown;
  environment?: Record<string, string>;
  volumes?: string[];
}

const dir = import.meta.dir;
const repoRoot = join(dir, "..", "..");
const compose = Bun.YAML.parse(await Bun.file(join(dir, "compose.yaml")).text()) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const dockerfile = await Bun.file(join(dir, "Dockerfile")).text();
const imageServices = Object.entries(compose.services).filter(([, service]) => service.build?.dockerfile === "infra/deploy/Dockerfile");

/** The image's WORKDIR, where the repository's files are copied. */
function workdir(): string {
  const match = /^WORKDIR (\S+)$/m.exec(dockerfile);
  expect(match, "the Dockerfile sets WORKDIR").not.toBeNull();
  return match![1]!;
}

/** The Dockerfile's CMD, which must be exec form (a JSON array): shell form would make /bin/sh the container's PID 1. */
function imageCmd(): string[] {
  const lines = dockerfile.split("\n").filter((line) => /^CMD\s/.test(line));
  expect(lines).toHaveLength(1);
  const cmd = JSON.parse(lines[0]!.replace(/^CMD\s+/, "")) as unknown;
  expect(Array.isArray(cmd), `exec-form CMD, got ${lines[0]}`).toBe(true);
  return cmd as string[];
}

/** The Dockerfile's instructions before `USER node`, i.e. the ones that run as root. */
function rootInstructions(): string {
  const userAt = dockerfile.search(/^USER node$/m);
  expect(userAt).toBeGreaterThan(0);
  return dockerfile.slice(0, userAt);
}

describe("deployment files", () => {
  test("every service built from the image sets an absolute DATA_DIR on a named volume", () => {
    expect(imageServices.map(([name]) => name).sort()).toEqual(["control-plane", "proxy-eu", "proxy-us"]);
    for (const [name, service] of imageServices) {
      const dataDir = service.environment?.DATA_DIR;
      expect(dataDir, name).toStartWith("/");
      const mount = service.volumes?.find((volume) => volume.split(":")[1] === dataDir);
      expect(mount, `${name} mounts a volume on ${dataDir}`).toBeDefined();
      expect(Object.keys(compose.volumes), name).toContain(mount!.split(":")[0]!);
    }
  });

  test("control-plane replicas are given the same snapshot signing key, admin JWT secret and audit key", () => {
    const env = compose.services["control-plane"]!.environment!;
    // Required (`:?`): left unset, each replica would generate its own in its DATA_DIR.
    expect(env.SIGNING_KEY_JWK).toStartWith("${SIGNING_KEY_JWK:?");
    expect(env.ADMIN_JWT_SECRET).toStartWith("${ADMIN_JWT_SECRET:?");
    expect(env.AUDIT_HMAC_KEY).toStartWith("${AUDIT_HMAC_KEY:?");
  });

  test("the variables Compose requires are the ones step 1 of its header provides", async () => {
    // Compose checks `:?` variables for the whole file, whichever services a command starts: a region
    // token required here would stop step 2 (the control plane alone) before the regions exist.
    const text = await Bun.file(join(dir, "compose.yaml")).text();
    const required = new Set([...text.matchAll(/\$\{([A-Z0-9_]+):?\?/g)].map((match) => match[1]));
    expect([...required].sort()).toEqual(["ADMIN_JWT_SECRET", "ADMIN_TOKEN", "AUDIT_HMAC_KEY", "POSTGRES_PASSWORD", "SIGNING_KEY_JWK"]);
  });

  test("every proxy shares its region's Redis", () => {
    const proxies = imageServices.filter(([name]) => name.startsWith("proxy-"));
    for (const [name, service] of proxies) {
      const region = service.environment!.REGION!;
      expect(service.environment!.REDIS_URL, name).toBe(`redis://redis-${region}:6379`);
      expect(compose.services[`redis-${region}`], name).toBeDefined();
    }
  });

  test("the image creates every DATA_DIR and gives it to node before dropping root", () => {
    const asRoot = rootInstructions();
    for (const [name, service] of imageServices) {
      const dataDir = service.environment!.DATA_DIR!;
      expect(asRoot, name).toMatch(new RegExp(`mkdir -p [^\\n]*${dataDir}( |$)`, "m"));
      expect(asRoot, name).toMatch(new RegExp(`chown node:node [^\\n]*${dataDir}( |$)`, "m"));
    }
  });

  test("every service's main process is the Bun binary itself, so docker stop's SIGTERM reaches it", async () => {
    // `npx bun …` as PID 1 exits on SIGTERM without passing the signal on: Bun never runs its graceful
    // stop and is killed with the container. The same goes for npm, a shell, or node running a wrapper.
    expect(dockerfile).not.toMatch(/^ENTRYPOINT/m);
    const bun = imageCmd()[0]!;
    expect(bun).toStartWith("/");
    expect(posix.relative(workdir(), bun)).toBe("node_modules/.bin/bun");
    // In the repository's own install (what `npm ci` gives the image), that path is the real Bun
    // executable the bun package's postinstall puts in place, not a script that would start another process.
    const target = realpathSync(join(repoRoot, "node_modules/.bin/bun"));
    expect(relative(realpathSync(join(repoRoot, "node_modules")), target)).toBe(join("bun", "bin", "bun.exe"));
    expect(await Bun.file(target).slice(0, 2).text(), "a binary, not a #! script").not.toBe("#!");

    const scripts: Record<string, string> = { "control-plane": "control-plane/main.ts", "proxy-eu": "region-proxy/main.ts", "proxy-us": "region-proxy/main.ts" };
    for (const [name, service] of imageServices) {
      expect(service.entrypoint, name).toBeUndefined();
      const command = service.command ?? imageCmd();
      expect(Array.isArray(command), `${name}: exec-form command, got ${JSON.stringify(command)}`).toBe(true);
      expect(command, name).toEqual([bun, scripts[name]!]);
    }
  });

  test("the signing-key command in the README and in compose.yaml's header writes the JWKS file the proxies mount", async () => {
    const proxies = imageServices.filter(([name]) => name.startsWith("proxy-"));
    const mounted = new Set(
      proxies.map(([name, service]) => {
        const target = service.environment!.TRUSTED_JWKS_FILE!;
        const mount = service.volumes?.find((volume) => volume.split(":")[1] === target);
        expect(mount, `${name} mounts a file on its TRUSTED_JWKS_FILE ${target}`).toBeDefined();
        // A bind mount's source is relative to the compose file's directory.
        return relative(repoRoot, resolve(dir, mount!.split(":")[0]!));
      }),
    );
    expect([...mounted]).toEqual(["infra/deploy/trusted-jwks.json"]);
    for (const [file, text] of [["README.md", await Bun.file(join(repoRoot, "README.md")).text()], ["compose.yaml", await Bun.file(join(dir, "compose.yaml")).text()]]) {
      // Both run it from the repository root.
      const written = [...text!.matchAll(/generate-signing-key\.ts ([^\s`]+)/g)].map((match) => match[1]);
      expect(written.length, file).toBeGreaterThan(0);
      for (const path of written) expect(path, file).toBe("infra/deploy/trusted-jwks.json");
    }
  });
});

test("the .env the deploy steps fill with secrets is never committed: git ignores it", () => {
  const check = Bun.spawnSync(["git", "check-ignore", "--no-index", "-q", join(dir, ".env")], { cwd: repoRoot });
  expect(check.exitCode).toBe(0);
});

test("every proxy service pins its own PROXY_ID, of the shape the control plane lists: a restart keeps its row in regions { proxies }", async () => {
  const { PROXY_ID_PATTERN } = await import("../../shared/snapshot/proxy-id.ts");
  const proxies = Object.entries(compose.services).filter(([, s]) => JSON.stringify(s.command ?? "").includes("region-proxy/main.ts"));
  expect(proxies.length).toBeGreaterThan(0);
  const ids = proxies.map(([, s]) => s.environment?.PROXY_ID ?? "");
  for (const id of ids) expect(PROXY_ID_PATTERN.test(id), `PROXY_ID "${id}"`).toBe(true);
  expect(new Set(ids).size).toBe(ids.length);
});
