/**
 * A deployment value the control plane accepts is one the proxy can route with: each case below is
 * either refused by the control plane (BAD_USER_INPUT) or, once accepted and published, served by the
 * region's proxy like any other deployment. A model the x-gateway-model header cannot carry made every
 * answer fail; a baseUrl with a query, a fragment or surrounding spaces sent calls to a wrong path.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { AdminApiError } from "../../infra/local/admin-client.ts";
import { eventually, startStack, type TestStack } from "../support/stack.ts";

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ regions: ["eu"], snapshotPollMs: 200 });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

let n = 0;
/** Creates a deployment and an alias over it; null when the control plane refused it with BAD_USER_INPUT. */
async function aliasFor(over: Record<string, unknown>): Promise<string | null> {
  const alias = `served-${++n}`;
  try {
    const { createDeployment } = await stack.admin.request<{ createDeployment: { id: string } }>(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, {
      i: { provider: "openai", baseUrl: `${stack.echo.url}/v1`, model: "echo-1", region: "eu", credentialRef: "env:ECHO_VENDOR_API_KEY", ...over },
    });
    await stack.admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: alias, deploymentIds: [createDeployment.id] } });
  } catch (error) {
    if (error instanceof AdminApiError && error.code === "BAD_USER_INPUT") return null;
    throw error;
  }
  const { configVersion } = await stack.admin.request<{ configVersion: number }>(`{ configVersion }`);
  await eventually(() => stack.proxies.eu!.snapshotVersion() >= configVersion, 5000, "eu proxy caught up");
  return alias;
}

async function chat(alias: string, stream: boolean): Promise<{ status: number; text: string }> {
  const response = await fetch(`${stack.proxies.eu!.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.demo.keySecret}`, "content-type": "application/json" },
    body: JSON.stringify({ model: alias, messages: [{ role: "user", content: "hi" }], stream }),
  });
  return { status: response.status, text: await response.text() };
}

test("a deployment model the control plane accepts (non-Latin-1, or with a line break inside) is served, streamed or not", async () => {
  const got: unknown[] = [];
  const want: unknown[] = [];
  for (const model of ["echo-1", "echo-模型", "echo-1\nmini"]) {
    const alias = await aliasFor({ model });
    if (alias === null) continue; // refused at the control plane: fine
    for (const stream of [false, true]) {
      const answer = await chat(alias, stream);
      got.push({ model, stream, status: answer.status, body: answer.text.slice(0, 300) });
      want.push({ model, stream, status: 200, body: expect.stringContaining("\"chat.completion") });
    }
  }
  expect(got).toEqual(want);
  expect(got.length).toBeGreaterThanOrEqual(2); // the plain model was accepted and served
}, 30_000);

test("an OpenAI baseUrl the control plane accepts (with a query, a fragment, surrounding spaces) reaches the vendor's /chat/completions", async () => {
  const got: unknown[] = [];
  const want: unknown[] = [];
  for (const [prefix, suffix] of [["", ""], ["", "?tag=eu"], ["", "#eu"], ["", "   "], [" ", ""]]) {
    const alias = await aliasFor({ baseUrl: `${prefix}${stack.echo.url}/v1${suffix}` });
    if (alias === null) continue; // refused at the control plane: fine
    const answer = await chat(alias, false);
    got.push({ prefix, suffix, status: answer.status, body: answer.text.slice(0, 300) });
    want.push({ prefix, suffix, status: 200, body: expect.stringContaining("\"chat.completion") });
  }
  expect(got).toEqual(want);
  expect(got.length).toBeGreaterThanOrEqual(1); // the plain baseUrl was accepted and served
}, 30_000);
