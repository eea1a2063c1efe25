/**
 * Done-when 5: every bad input gets its defined error in the caller's protocol: OpenAI error JSON with
 * the right status on the data plane (read through the official SDK where it can send it), GraphQL
 * errors with `extensions.code` on the control plane. Never a 500, never a stack trace.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { AdminApiError, adminClient } from "../../infra/local/admin-client.ts";
import { eventually, startStack, type TestStack } from "../support/stack.ts";

let stack: TestStack;
let proxyUrl: string;
beforeAll(async () => {
  stack = await startStack({ regions: ["eu"] });
  proxyUrl = stack.proxies.eu!.url;
  await eventually(() => stack.proxies.eu!.snapshotVersion() > 0, 5000, "first snapshot");
});
afterAll(async () => {
  await stack?.stop();
});

type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${proxyUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${stack.demo.keySecret}`, ...headers },
    body,
  });
  const text = await response.text();
  expect(text).not.toContain("    at "); // no stack trace, ever
  return { status: response.status, body: JSON.parse(text) as ErrorBody, headers: response.headers };
}

describe("data plane", () => {
  test("invalid JSON → 400 invalid_json", async () => {
    const { status, body, headers } = await post(`{"model": "x", `);
    expect(status).toBe(400);
    expect(body.error.code).toBe("invalid_json");
    expect(body.error.type).toBe("invalid_request_error");
    expect(headers.get("x-request-id")).toBeTruthy();
  });

  test("a body that is not an object → 400", async () => {
    for (const raw of [`[1,2]`, `"hello"`, `42`, `null`]) {
      const { status, body } = await post(raw);
      expect(status).toBe(400);
      expect(body.error.type).toBe("invalid_request_error");
    }
  });

  test("missing model → 400 naming the param", async () => {
    const { status, body } = await post(JSON.stringify({ messages: [{ role: "user", content: "hi" }] }));
    expect(status).toBe(400);
    expect(body.error.param).toBe("model");
  });

  test("bad messages → 400 naming the param", async () => {
    const { status, body } = await post(JSON.stringify({ model: stack.demo.alias, messages: "hi" }));
    expect(status).toBe(400);
    expect(body.error.param).toBe("messages");
  });

  test("unknown model → 404 model_not_found through the SDK", async () => {
    const client = new OpenAI({ baseURL: `${proxyUrl}/v1`, apiKey: stack.demo.keySecret, maxRetries: 0 });
    const error = await client.chat.completions.create({ model: "no-such-alias", messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.code).toBe("model_not_found");
  });

  test("missing, malformed and unknown keys → 401 invalid_api_key with one message", async () => {
    const messages: string[] = [];
    for (const authorization of [undefined, "Bearer", "Bearer not-a-key", `Bearer gwk_${"a".repeat(40)}`, "Basic Zm9vOmJhcg=="]) {
      const response = await fetch(`${proxyUrl}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ model: stack.demo.alias, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(response.status).toBe(401);
      const body = (await response.json()) as ErrorBody;
      expect(body.error.code).toBe("invalid_api_key");
      messages.push(body.error.message);
    }
    expect(new Set(messages).size).toBe(1);
    const client = new OpenAI({ baseURL: `${proxyUrl}/v1`, apiKey: "gwk_wrong", maxRetries: 0 });
    const error = await client.chat.completions.create({ model: stack.demo.alias, messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  test("unknown path → 404, an endpoint not served at a served path (GET /v1/chat/completions) → 404, oversized body → 413", async () => {
    const unknown = await fetch(`${proxyUrl}/v1/nothing-here`, { headers: { authorization: `Bearer ${stack.demo.keySecret}` } });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorBody).error.type).toBe("invalid_request_error");
    const wrongMethod = await fetch(`${proxyUrl}/v1/chat/completions`, { method: "GET", headers: { authorization: `Bearer ${stack.demo.keySecret}` } });
    expect(wrongMethod.status).toBe(404);
    expect(((await wrongMethod.json()) as ErrorBody).error.code).toBe("unknown_url");
    const huge = JSON.stringify({ model: stack.demo.alias, messages: [{ role: "user", content: "x".repeat(2 * 1024 * 1024) }] });
    const { status, body } = await post(huge);
    expect(status).toBe(413);
    expect(body.error.code).toBe("request_too_large");
  });
});

describe("control plane", () => {
  const codeOf = (promise: Promise<unknown>) => promise.then(() => "no error", (error: AdminApiError) => error.code);

  test("no token or a wrong token → UNAUTHENTICATED", async () => {
    expect(await codeOf(adminClient(stack.controlPlane.url, "admtok_wrong").request(`{ tenants { id } }`))).toBe("UNAUTHENTICATED");
    const response = await fetch(`${stack.controlPlane.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ tenants { id } }" }),
    });
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe("UNAUTHENTICATED");
  });

  test("mutations with invalid arguments → BAD_USER_INPUT / NOT_FOUND", async () => {
    const { admin } = stack;
    expect(await codeOf(admin.request(`mutation { createTenant(input: { name: "" }) { id } }`))).toBe("BAD_USER_INPUT");
    expect(
      await codeOf(admin.request(`mutation { createDeployment(input: { provider: "openai", baseUrl: "not a url", model: "m", region: "eu", credentialRef: "env:X" }) { id } }`)),
    ).toBe("BAD_USER_INPUT");
    expect(
      await codeOf(admin.request(`mutation { createDeployment(input: { provider: "openai", baseUrl: "https://x.test/v1", model: "m", region: "eu", credentialRef: "sk-live-secret" }) { id } }`)),
    ).toBe("BAD_USER_INPUT");
    expect(await codeOf(admin.request(`mutation { setPrice(input: { provider: "openai", model: "m", inputUsdPerMillion: -1, outputUsdPerMillion: 1 }) { model } }`))).toBe(
      "BAD_USER_INPUT",
    );
    expect(await codeOf(admin.request(`mutation { createAlias(input: { name: "x", deploymentIds: ["dep_doesnotexist"] }) { name } }`))).toMatch(/^(BAD_USER_INPUT|NOT_FOUND)$/);
    expect(await codeOf(admin.request(`mutation { createKey(input: { tenantId: "ten_doesnotexist", name: "k" }) { secret } }`))).toBe("NOT_FOUND");
    expect(await codeOf(admin.request(`mutation { createTenant(input: { nme: "typo" }) { id } }`))).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  test("malformed GraphQL gets a GraphQL error, not a stack trace", async () => {
    const response = await fetch(`${stack.controlPlane.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.adminToken}` },
      body: `{"query": "{ tenants { "`,
    });
    const text = await response.text();
    expect(text).not.toContain("    at ");
    expect(response.status).toBeLessThan(500);
  });
});
