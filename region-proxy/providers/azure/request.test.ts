import { describe, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import type { ChatRequest } from "../types.ts";
import { AZURE_API_VERSION, buildAzureRequest } from "./request.ts";

const target = (baseUrl: string): SnapshotDeployment => ({ id: "dep_z", provider: "azure", baseUrl, model: "my-gpt4o", region: "eu", credentialRef: "env:Z" });
const req = (fields: Partial<ChatRequest> = {}): ChatRequest => ({ model: "alias", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw: { model: "alias", messages: [{ role: "user", content: "hi" }], temperature: 0.3 }, ...fields });

describe("azure buildRequest", () => {
  test("deployment URL, api-version, api-key header; the OpenAI body otherwise", () => {
    const http = buildAzureRequest(req(), target("https://myres.openai.azure.com/"), "az-secret");
    expect(http.url).toBe(`https://myres.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=${AZURE_API_VERSION}`);
    expect(http.headers["api-key"]).toBe("az-secret");
    expect(http.headers.authorization).toBeUndefined();
    expect(JSON.parse(http.body)).toMatchObject({ model: "my-gpt4o", temperature: 0.3, messages: [{ role: "user", content: "hi" }] });
    expect(buildAzureRequest(req(), target("https://myres.openai.azure.com/openai?api-version=2025-01-01-preview"), "k").url).toBe(
      "https://myres.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=2025-01-01-preview",
    );
    const stream = JSON.parse(buildAzureRequest(req({ stream: true, raw: { stream: true } }), target("https://x.openai.azure.com"), "k").body);
    expect(stream.stream_options).toEqual({ include_usage: true });
  });

  test("a client cannot steer the host or path", () => {
    const http = buildAzureRequest(req({ raw: { model: "../../x" } }), { ...target("https://myres.openai.azure.com"), model: "a/../b?c" }, "k");
    const url = new URL(http.url);
    expect(url.host).toBe("myres.openai.azure.com");
    expect(url.pathname).toBe("/openai/deployments/a%2F..%2Fb%3Fc/chat/completions");
    // A relay's endpoint field is refused, naming it (relay-routing.ts), rather than sent on.
    expect(() => buildAzureRequest(req({ raw: { base_url: "https://evil" } }), target("https://myres.openai.azure.com"), "k")).toThrow(expect.objectContaining({ param: "base_url" }));
  });
});
