/**
 * A deployment's baseUrl is where the proxy sends the vendor credential (Authorization / api-key /
 * x-api-key / x-goog-api-key) on every call. A plain http:// baseUrl is accepted only to a host that
 * cannot be on the public internet (loopback, the private ranges clusters use, a single-label or
 * cluster-internal name), so a typo (`http://api.openai.com/v1`) no longer sends the OpenAI key in clear
 * text; ALLOW_PLAINTEXT_VENDOR_URLS=true on the control plane opts out. (Review sec's finding.)
 */
import { expect, test } from "bun:test";
import type { GraphQLError } from "graphql";
import { argumentRefusals, useTestControlPlane, type ArgumentCase } from "../testing/test-control-plane.ts";
import { sendsCredentialSafely, requireEncryptedBaseUrl } from "./plaintext-base-url.ts";

const PRIVATE = [
  "http://127.0.0.1:8000/v1",
  "http://127.8.9.10/v1",
  "http://[::1]:4100/v1",
  "http://localhost:11434/v1",
  "http://vllm.localhost/v1",
  "http://10.1.2.3/v1",
  "http://172.16.0.1/v1",
  "http://172.31.255.254/v1",
  "http://192.168.1.20:8080/v1",
  "http://[fc00::1]/v1",
  "http://[fd12:3456::1]:8000/v1",
  "http://[fdff::1]/v1",
  "http://vllm:8000/v1",
  "http://vllm./v1",
  "http://gpu-box.local/v1",
  "http://llm.internal/v1",
  "http://host.docker.internal:8000/v1",
  "http://vllm.inference.svc:8000/v1",
  "http://vllm.inference.svc.cluster.local:8000/v1",
  "http://ollama.lan/v1",
  "http://nas.home.arpa/v1",
];
const PUBLIC = [
  "http://api.openai.com/v1",
  "http://api.openai.com./v1",
  "http://generativelanguage.googleapis.com",
  "http://res.openai.azure.com",
  "http://8.8.8.8/v1",
  "http://172.32.0.1/v1", // just past 172.16/12
  "http://172.15.255.255/v1",
  "http://169.254.169.254/v1", // link-local (cloud metadata): not one of the listed ranges
  "http://100.64.0.1/v1",
  "http://0.0.0.0/v1",
  "http://[2001:db8::1]/v1",
  "http://[fe80::1]/v1",
  "http://[fc::1]/v1", // 00fc::, not fc00::/7
  "http://[::ffff:7f00:1]/v1", // IPv4-mapped: not listed, refused rather than guessed
];
/** Names that contain a private suffix's letters without ending in it. */
const SUFFIX_LOOKALIKES = ["http://evil-local.example/v1", "http://svc.example.com/v1", "http://api.internal.example.com/v1", "http://x.cluster.local.example/v1", "http://mylan.com/v1", "http://localhost.example/v1"];

test("plain http is allowed to loopback, the private ranges, single-label and cluster-internal names; https always", () => {
  expect(PRIVATE.map((u) => [u, sendsCredentialSafely(u)])).toEqual(PRIVATE.map((u) => [u, true]));
  for (const u of ["https://api.openai.com/v1", "https://8.8.8.8/v1", "https://[2001:db8::1]/v1"]) expect([u, sendsCredentialSafely(u)]).toEqual([u, true]);
});

test("plain http to any other host (a public name, a public or link-local address, a look-alike suffix) is not", () => {
  const refused = [...PUBLIC, ...SUFFIX_LOOKALIKES];
  expect(refused.map((u) => [u, sendsCredentialSafely(u)])).toEqual(refused.map((u) => [u, false]));
});

test("the refusal is BAD_USER_INPUT naming the field, saying to use https and how to opt out; the opt-in accepts it", () => {
  const error = (() => {
    try {
      requireEncryptedBaseUrl("operations[0].deployment.baseUrl", "http://api.openai.com/v1", false);
      return null;
    } catch (e) {
      return e as GraphQLError;
    }
  })();
  expect(error?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "operations[0].deployment.baseUrl" });
  expect(error?.message).toStartWith("operations[0].deployment.baseUrl: ");
  expect(error?.message).toContain("write https://api.openai.com/v1");
  expect(error?.message).toContain("ALLOW_PLAINTEXT_VENDOR_URLS=true");
  expect(requireEncryptedBaseUrl("baseUrl", "http://api.openai.com/v1", true)).toBe("http://api.openai.com/v1");
  expect(requireEncryptedBaseUrl("baseUrl", "http://127.0.0.1:4100/v1", false)).toBe("http://127.0.0.1:4100/v1");
});

const t = useTestControlPlane();
const CREATE = `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id baseUrl } }`;
const input = (baseUrl: string) => ({ i: { provider: "openai", baseUrl, model: "gpt-4o-mini", region: "eu", credentialRef: "env:OPENAI_KEY" } });

test("createDeployment: a loopback or cluster http baseUrl (a local vLLM, the echo vendor) and any https one are accepted", async () => {
  for (const baseUrl of ["http://127.0.0.1:8000/v1", "http://vllm.inference.svc.cluster.local:8000/v1", "http://10.0.0.7/v1", "https://api.openai.com/v1"]) {
    expect((await t.admin.request<{ createDeployment: { baseUrl: string } }>(CREATE, input(baseUrl))).createDeployment.baseUrl).toBe(baseUrl);
  }
});

test("createDeployment: a public http:// baseUrl (the credential in clear text) is BAD_USER_INPUT naming baseUrl", async () => {
  const cases: ArgumentCase[] = ["http://api.openai.com/v1", "http://8.8.8.8/v1", "http://169.254.169.254/v1"].map((baseUrl) => ["baseUrl", t.adminToken, CREATE, input(baseUrl)]);
  expect(await argumentRefusals(t.cp.url, cases)).toEqual(cases.map(([field]) => [field, 200, "BAD_USER_INPUT", true]));
});
