import { expect, test } from "bun:test";
import { httpUrl } from "./http-url.ts";

test("an IPv6 host is bracketed, a wildcard bind is reached through loopback, others are kept", () => {
  expect(httpUrl("::1", 4000)).toBe("http://[::1]:4000");
  expect(httpUrl("fe80::1", 4000)).toBe("http://[fe80::1]:4000");
  expect(httpUrl("[::1]", 4000)).toBe("http://[::1]:4000");
  expect(httpUrl("::", 4000)).toBe("http://[::1]:4000");
  expect(httpUrl("0.0.0.0", 4001)).toBe("http://127.0.0.1:4001");
  expect(httpUrl("127.0.0.1", 4002)).toBe("http://127.0.0.1:4002");
  expect(httpUrl("localhost", 4100)).toBe("http://localhost:4100");
  for (const host of ["::1", "::", "0.0.0.0", "localhost"]) expect(() => new URL("/graphql", httpUrl(host, 1))).not.toThrow();
});
