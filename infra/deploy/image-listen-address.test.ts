/**
 * The image run with only the variables README's deployment steps name (step 1 for the control plane,
 * step 4 for a proxy) must listen where a load balancer or another container can reach it: on every
 * address, on a port the image EXPOSEs. Before, the image set neither HOST nor PORT, so both parts
 * listened on 127.0.0.1 inside the container and a proxy on a random port; only compose.yaml set them.
 * No Docker daemon here: the Dockerfile's ENV lines are read as the container's environment, and each
 * part's own config reader is given that plus the steps' variables (nothing is bound: ports 0 only).
 */
import { expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configFromEnv } from "../../control-plane/config.ts";
import { loadConfig } from "../../region-proxy/config.ts";

const dockerfile = await Bun.file(join(import.meta.dir, "Dockerfile")).text();

/** The Dockerfile's ENV lines (`ENV A=1 B=2` or `ENV A=1`), as the container's environment gets them. */
function imageEnv(): Record<string, string> {
  const lines = [...dockerfile.matchAll(/^ENV (.+)$/gm)].map((match) => match[1]!);
  return Object.fromEntries(
    lines.flatMap((line) =>
      line.split(/\s+/).map((pair) => {
        const at = pair.indexOf("=");
        expect(at, `ENV ${line}: KEY=value pairs`).toBeGreaterThan(0);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    ),
  );
}

const exposed = [...dockerfile.matchAll(/^EXPOSE (.+)$/gm)].flatMap((match) => match[1]!.split(/\s+/)).map((port) => Number(port.split("/")[0]));

test("a proxy from the image with step 4's variables listens on every address, on a port the image EXPOSEs", async () => {
  const dir = await mkdtemp(join(tmpdir(), "image-listen-"));
  const jwksFile = join(dir, "trusted-jwks.json");
  await Bun.write(jwksFile, JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", x: "v24-XF95dAh68tbT6xUnWGEMrkuR0LUnRQGFXag7yo0", kid: "k1" }] }));
  const config = loadConfig({
    ...imageEnv(),
    // README step 4, nothing else
    REGION: "eu",
    REGION_TOKEN: "regtok_x",
    CONTROL_PLANE_URL: "https://cp.example.com",
    TRUSTED_JWKS_FILE: jwksFile,
    DATA_DIR: "/var/lib/gateway",
    REDIS_URL: "redis://redis-eu:6379",
  });
  expect(config.host).toBe("0.0.0.0");
  expect(exposed, `EXPOSE lists the proxy's port ${config.port}`).toContain(config.port);
  await rm(dir, { recursive: true, force: true });
});

test("the control plane from the image with step 1's variables listens on every address, on a port the image EXPOSEs", () => {
  const config = configFromEnv({ ...imageEnv(), DATABASE_URL: "postgres://postgres:pw@db:5432/gateway", DATA_DIR: "/var/lib/gateway" });
  expect(config.host).toBe("0.0.0.0");
  expect(exposed, `EXPOSE lists the control plane's port ${config.port}`).toContain(config.port);
});

test("README's deployment steps say where the image listens and which variables move it", async () => {
  const readme = await Bun.file(join(import.meta.dir, "..", "..", "README.md")).text();
  const steps = readme.slice(readme.indexOf("## Deploying across regions"), readme.indexOf("\n## ", readme.indexOf("## Deploying across regions") + 1));
  const { HOST, PORT } = imageEnv();
  for (const wanted of [`\`${HOST}:${PORT}\``, "`HOST`", "`PORT`"]) expect(steps.includes(wanted), `README's deployment steps name ${wanted}`).toBe(true);
});
