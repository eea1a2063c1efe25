import { expect, test } from "bun:test";
import { endpointUrl } from "./endpoint-url.ts";

test("an endpoint's path goes under the base URL's own path (an ingress prefix), with or without a trailing slash", () => {
  expect(endpointUrl("https://api.example.com/gw", "/internal/v1/leases")).toBe("https://api.example.com/gw/internal/v1/leases");
  expect(endpointUrl("https://api.example.com/gw/", "/internal/v1/leases")).toBe("https://api.example.com/gw/internal/v1/leases");
  expect(endpointUrl("https://api.example.com//", "/internal/v1/usage")).toBe("https://api.example.com/internal/v1/usage");
  expect(endpointUrl("http://127.0.0.1:4000", "/internal/v1/snapshots/eu")).toBe("http://127.0.0.1:4000/internal/v1/snapshots/eu");
});
