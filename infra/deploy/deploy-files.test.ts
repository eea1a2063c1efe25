/**
 * compose.yaml and the Dockerfile agree: there is no Docker daemon in the test environment, so these
 * read both files and check what a `docker compose up` would otherwise only show as a crash loop.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";

interface Service {
  build?: { dockerfile?: string };
  environment?: Record<string, string>;
  volumes?: string[];
}

const dir = import.meta.dir;
const compose = Bun.YAML.parse(await Bun.file(join(dir, "compose.yaml")).text()) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const dockerfile = await Bun.file(join(dir, "Dockerfile")).text();
const imageServices = Object.entries(compose.services).filter(([, service]) => service.build?.dockerfile === "infra/deploy/Dockerfile");

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

  test("control-plane replicas are given the same snapshot signing key and admin JWT secret", () => {
    const env = compose.services["control-plane"]!.environment!;
    // Required (`:?`): left unset, each replica would generate its own in its DATA_DIR.
    expect(env.SIGNING_KEY_JWK).toStartWith("${SIGNING_KEY_JWK:?");
    expect(env.ADMIN_JWT_SECRET).toStartWith("${ADMIN_JWT_SECRET:?");
  });

  test("the variables Compose requires are the ones step 1 of its header provides", async () => {
    // Compose checks `:?` variables for the whole file, whichever services a command starts: a region
    // token required here would stop step 2 (the control plane alone) before the regions exist.
    const text = await Bun.file(join(dir, "compose.yaml")).text();
    const required = new Set([...text.matchAll(/\$\{([A-Z0-9_]+):?\?/g)].map((match) => match[1]));
    expect([...required].sort()).toEqual(["ADMIN_JWT_SECRET", "ADMIN_TOKEN", "POSTGRES_PASSWORD", "SIGNING_KEY_JWK"]);
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
});
