/**
 * An Azure deployment pinned to an api-version older than 2024-09-01-preview is refused: the proxy
 * sends `stream_options.include_usage` on every stream and `max_completion_tokens` when it reserves an
 * output cap, and Azure answers 400 "Unrecognized request argument supplied" to both on older versions.
 */
import { expect, test } from "bun:test";
import { errorCode } from "../testing/principals.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { AZURE_MIN_API_VERSION, requireAzureApiVersion } from "./azure-api-version.ts";

const refusal = (fn: () => unknown) => {
  try {
    fn();
    return "OK";
  } catch (error) {
    return `${(error as { extensions?: { code?: string } }).extensions?.code}: ${(error as Error).message}`;
  }
};

test("the minimum is the first api-version with both stream_options and max_completion_tokens", () => {
  expect(AZURE_MIN_API_VERSION).toBe("2024-09-01-preview");
});

test("Azure baseUrls without an api-version, or with one from 2024-09-01-preview on, pass; other providers are not checked", () => {
  for (const baseUrl of [
    "https://res.openai.azure.com",
    "https://res.openai.azure.com/openai?api-version=2024-09-01-preview",
    "https://res.openai.azure.com?api-version=2024-10-21",
    "https://res.openai.azure.com?api-version=2025-04-01-preview",
  ]) {
    expect([baseUrl, refusal(() => requireAzureApiVersion("baseUrl", "azure", baseUrl))]).toEqual([baseUrl, "OK"]);
  }
  expect(refusal(() => requireAzureApiVersion("baseUrl", "openai", "https://x.example/v1?api-version=2024-06-01"))).toBe("OK");
});

test("an Azure baseUrl pinning an older api-version is BAD_USER_INPUT naming the minimum and why", () => {
  for (const version of ["2024-06-01", "2024-08-01-preview", "2024-02-01", "2023-05-15"]) {
    const message = refusal(() => requireAzureApiVersion("baseUrl", "azure", `https://res.openai.azure.com/openai?api-version=${version}`));
    expect(message).toStartWith("BAD_USER_INPUT: baseUrl:");
    expect(message).toContain(version);
    expect(message).toContain("2024-09-01-preview");
    expect(message).toContain("stream_options");
    expect(message).toContain("max_completion_tokens");
  }
});

const t = useTestControlPlane();
const azure = (baseUrl: string) => ({ provider: "azure", baseUrl, model: "gpt4o", region: "eu", credentialRef: "env:GW_CRED_AZ" });

test("createDeployment and a proposed deployment.create refuse an old api-version and accept a current one", async () => {
  const create = (baseUrl: string) => t.admin.request(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, { i: azure(baseUrl) });
  expect(await errorCode(create("https://res.openai.azure.com?api-version=2024-06-01"))).toBe("BAD_USER_INPUT");
  expect(await create("https://res.openai.azure.com?api-version=2024-10-21")).toMatchObject({ createDeployment: { id: expect.any(String) } });
  const propose = (baseUrl: string) =>
    t.admin.request(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
      i: { description: "azure", operations: [{ op: "deployment.create", deployment: azure(baseUrl) }] },
    });
  expect(await errorCode(propose("https://res.openai.azure.com?api-version=2024-08-01-preview"))).toBe("BAD_USER_INPUT");
  expect(await propose("https://res.openai.azure.com?api-version=2024-09-01-preview")).toMatchObject({ proposeChange: { id: expect.any(String) } });
});
