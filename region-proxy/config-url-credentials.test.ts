/**
 * A URL the proxy refuses is quoted in its start error, which main.ts prints to stderr (the pod log,
 * the log pipeline): the quote must not carry the credentials the URL holds. The commonest refusal is
 * a trailing newline from a Secret made with `echo ... | base64`, so a valid password rides along.
 */
import { expect, test } from "bun:test";
import { shownUrl } from "../shared/config/shown-url.ts";
import { loadConfig } from "./config.ts";

const jwks = JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", x: "TOhVR9fBlGropP6VRZm1d4Zm_2eZRGmCYrNxc_As5IU", kid: "k1" }] });
const env = { REGION: "eu", CONTROL_PLANE_URL: "https://cp.example.com", REGION_TOKEN: "regtok_x", TRUSTED_JWKS: jwks, DATA_DIR: "/tmp/p" };

const startError = (overrides: Record<string, string>): string => {
  try {
    loadConfig({ ...env, ...overrides });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("the configuration was accepted");
};

test("a refused REDIS_URL is quoted without its user, password or query, its newline shown escaped", () => {
  const message = startError({ REDIS_URL: "rediss://default:S3cretRedisPass@redis-eu:6380/2\n" });
  expect(message).toContain('REDIS_URL must be a redis:// or rediss:// URL with a host, an absolute Unix socket path, or host:port (got "rediss://***@redis-eu:6380/2\\n")');
  expect(message).not.toContain("S3cretRedisPass");
  for (const [raw, secret] of [
    ["rediss//default:Pw1@redis-eu:6380", "Pw1"],
    ["rediss://default:p@ss@redis-eu:6380 ", "ss@"],
    ["redis://redis-eu:6379/?password=Pw2 ", "Pw2"],
    ["rediss://default:S3cretPrefix?tail@redis-eu:6380/2", "S3cretPrefix"], // the '?' is why it is refused
  ] as const) {
    const refused = startError({ REDIS_URL: raw });
    expect(refused).toContain("REDIS_URL must be");
    expect(refused).not.toContain(secret);
  }
});

test("a refused CONTROL_PLANE_URL is quoted without its credentials", () => {
  const insecure = startError({ CONTROL_PLANE_URL: "http://svc:CpPassw0rd@control-plane.internal:4000" });
  expect(insecure).toContain('CONTROL_PLANE_URL must be https');
  expect(insecure).toContain('(got "http://***@control-plane.internal:4000")');
  expect(insecure).not.toContain("CpPassw0rd");
  for (const raw of ["ftp://svc:CpPassw0rd@control-plane.internal", "svc:CpPassw0rd@control plane"]) {
    const refused = startError({ CONTROL_PLANE_URL: raw });
    expect(refused).toContain("CONTROL_PLANE_URL must be an http(s) URL");
    expect(refused).not.toContain("CpPassw0rd");
  }
});

test("shownUrl masks user and password however malformed the URL, and any query; it keeps the rest to find the typo by", () => {
  expect(shownUrl("redis://redis-eu:6379")).toBe('"redis://redis-eu:6379"');
  expect(shownUrl("rediss://default:pw@redis-eu:6380/2\n")).toBe('"rediss://***@redis-eu:6380/2\\n"');
  expect(shownUrl("\trediss://u:p@ss@redis-eu")).toBe('"\\trediss://***@redis-eu"');
  expect(shownUrl("rediss//u:pw@redis-eu:6380")).toBe('"***@redis-eu:6380"');
  expect(shownUrl("redis-eu:6379?password=pw")).toBe('"redis-eu:6379?***"');
  expect(shownUrl("/run/redis/redis.sock")).toBe('"/run/redis/redis.sock"');
});

test("shownUrl masks a password holding '?', '#', '/' or '@' whole, then a query after the host; a query password holding '@' whole", () => {
  expect(shownUrl("rediss://default:S3cretPrefix?tail@redis-eu:6380/2")).toBe('"rediss://***@redis-eu:6380/2"');
  expect(shownUrl("rediss://default:Pre#fix@redis-eu:6380")).toBe('"rediss://***@redis-eu:6380"');
  expect(shownUrl("rediss://default:Pre/fix@redis-eu:6380")).toBe('"rediss://***@redis-eu:6380"');
  expect(shownUrl("rediss://default:Pre@fix?x@redis-eu:6380")).toBe('"rediss://***@redis-eu:6380"');
  expect(shownUrl("rediss://default:Pre?fix@redis-eu:6380/?password=Pw3")).toBe('"rediss://***@redis-eu:6380/?***"');
  // An "@" in a query password: its end follows the "@", so nothing after the scheme is shown.
  expect(shownUrl("redis://redis-eu:6379/?password=Pre@fix")).toBe('"redis://***"');
  expect(shownUrl("redis://u:Pw4@redis-eu:6379?password=Pre@fix")).toBe('"redis://***"');
});
