import { describe, expect, test } from "bun:test";
import { fixtureText } from "../../../test/fixtures/replay.ts";
import { DEPLOYMENT_UNAVAILABLE_MESSAGE } from "../deployment-unavailable.ts";
import { classifyAzureError } from "./errors.ts";

describe("azure classifyError", () => {
  test("content filter refusals are permanent, reason content_filter, with Azure's innererror (which category) kept", async () => {
    const e = classifyAzureError(400, new Headers(), await fixtureText("azure", "error-content-filter.json"));
    expect(e).toMatchObject({ retryable: false, reason: "content_filter", clientError: { kind: "vendor_rejected", status: 400, code: "content_filter", param: "prompt" } });
    // Azure bills the prompt it evaluated; its other 400s bill nothing.
    expect(e.billedPrompt).toBe(true);
    expect(classifyAzureError(400, new Headers(), await fixtureText("azure", "error-context-length.json")).billedPrompt).toBeUndefined();
    expect(e.clientError).toMatchObject({
      innererror: {
        code: "ResponsibleAIPolicyViolation",
        content_filter_result: { hate: { filtered: true, severity: "high" }, "self-harm": { filtered: false, severity: "safe" }, sexual: { filtered: false, severity: "safe" }, violence: { filtered: false, severity: "safe" } },
      },
    });
  });

  test("a content_filter innererror keeps only its documented keys and values; another error's innererror is dropped", () => {
    const body = (code: string, innererror: unknown) => JSON.stringify({ error: { message: "filtered", code, param: "prompt", status: 400, innererror } });
    const e = classifyAzureError(
      400,
      new Headers(),
      body("content_filter", {
        code: "ResponsibleAIPolicyViolation",
        debug: "sk-the-gateway-key",
        content_filter_result: {
          jailbreak: { filtered: true, detected: true, note: "sk-the-gateway-key" },
          violence: { filtered: false, severity: "sk-the-gateway-key" },
          custom_blocklists: { filtered: true, details: [{ filtered: true, id: "acme-internal-list" }] },
          "sk-the-gateway-key": { filtered: true },
          protected_material_code: { filtered: false, detected: true, citation: { URL: "https://x", license: "MIT" } },
        },
      }),
    );
    expect((e.clientError as { innererror?: unknown }).innererror).toEqual({
      code: "ResponsibleAIPolicyViolation",
      content_filter_result: { jailbreak: { filtered: true, detected: true }, violence: { filtered: false }, custom_blocklists: { filtered: true }, protected_material_code: { filtered: false, detected: true } },
    });
    expect(JSON.stringify(e)).not.toContain("sk-the-gateway-key");
    expect(JSON.stringify(e)).not.toContain("acme-internal-list");
    const other = classifyAzureError(400, new Headers(), body("invalid_value", { code: "ResponsibleAIPolicyViolation", content_filter_result: {} }));
    expect(other.clientError).not.toHaveProperty("innererror");
  });

  test("429 honours retry-after-ms over retry-after; 5xx retryable", async () => {
    const body = await fixtureText("azure", "error-rate-limit.json");
    expect(classifyAzureError(429, new Headers({ "retry-after-ms": "6000", "retry-after": "7" }), body)).toMatchObject({ retryable: true, retryAfterMs: 6000, reason: "status_429" });
    expect(classifyAzureError(429, new Headers({ "retry-after": "6" }), body).retryAfterMs).toBe(6000);
    for (const s of [500, 502, 503, 504]) expect(classifyAzureError(s, new Headers(), body).retryable).toBe(true);
  });

  test("401 is the gateway's credential problem; context length is permanent with Azure's message", async () => {
    const unauthorized = classifyAzureError(401, new Headers(), await fixtureText("azure", "error-unauthorized.json"));
    expect(unauthorized).toMatchObject({ retryable: false, reason: "credential_rejected", clientError: { kind: "upstream_error" } });
    expect(JSON.stringify(unauthorized)).not.toContain("subscription key");
    expect(classifyAzureError(400, new Headers(), await fixtureText("azure", "error-context-length.json"))).toMatchObject({ retryable: false, reason: "context_length", clientError: { code: "context_length_exceeded", param: "messages" } });
  });

  test("404 DeploymentNotFound is the deployment's failure, not the caller's (the caller names an alias; the gateway named a deployment Azure does not have): a fixed 502 without Azure's words", async () => {
    const gone = classifyAzureError(404, new Headers(), await fixtureText("azure", "error-deployment-not-found.json"));
    expect(gone).toEqual({
      retryable: false,
      clientError: { kind: "upstream_error", message: `The gateway could not call the model provider: ${DEPLOYMENT_UNAVAILABLE_MESSAGE}.`, retryable: false },
      retryAfterMs: null,
      reason: "deployment_unavailable:not_found",
    });
    expect(classifyAzureError(402, new Headers(), "{}").reason).toBe("deployment_unavailable:account");
  });

  test("404 Resource not found (a wrong path or api-version in the gateway's baseUrl) is the deployment's failure; 400 OperationNotSupported (chat sent to an embeddings deployment) falls back as the caller's wrong operation", () => {
    const notFound = JSON.stringify({ error: { code: "404", message: "Resource not found" } });
    expect(classifyAzureError(404, new Headers(), notFound)).toMatchObject({ retryable: false, reason: "deployment_unavailable:not_found", clientError: { kind: "upstream_error" } });
    const wrongOperation = JSON.stringify({ error: { code: "OperationNotSupported", message: "The chatCompletion operation does not work with the specified model, text-embedding-3-small." } });
    const verdict = classifyAzureError(400, new Headers(), wrongOperation);
    expect(verdict).toMatchObject({ retryable: false, reason: "deployment_unavailable:wrong_operation", clientError: { kind: "upstream_error" } });
    expect(JSON.stringify(verdict)).not.toContain("text-embedding-3-small");
  });

  test("a 400 or 422 the request caused still fails fast with Azure's message, code and param", () => {
    const body = JSON.stringify({ error: { message: "Invalid value for 'temperature': must be at most 2.", type: "invalid_request_error", param: "temperature", code: "invalid_value" } });
    for (const status of [400, 422]) {
      expect(classifyAzureError(status, new Headers(), body)).toMatchObject({
        retryable: false,
        reason: `status_${status}`,
        clientError: { kind: "vendor_rejected", status, message: "Invalid value for 'temperature': must be at most 2.", code: "invalid_value", param: "temperature" },
      });
    }
  });
});

describe("azure classifyError: the deployment's own misconfiguration, which the caller (naming an alias) cannot cause or fix", () => {
  const unavailable = { retryable: false, reason: "deployment_unavailable:not_found", clientError: { kind: "upstream_error", retryable: false } };

  test("410 ModelDeprecated (the deployment's model was retired) falls back and counts against the deployment, without Azure's words", () => {
    // Azure's answer for a deployment whose model was retired, as quoted in epam/ai-dial-chat#4403.
    const body = JSON.stringify({ error: { code: "ModelDeprecated", message: "The model associated with the deployment is deprecated and no longer available for use. Please refer to the Azure OpenAI service documentation for more information." } });
    const verdict = classifyAzureError(410, new Headers(), body);
    expect(verdict).toMatchObject(unavailable);
    expect(JSON.stringify(verdict)).not.toContain("deprecated");
  });

  test("400 BadRequest for the api-version the gateway sent (too old for the deployment's model, or not served) falls back and counts against the deployment", () => {
    // Azure's words, as its users quote them: o1/o3-mini on an api-version before 2024-12-01-preview
    // (microsoft/semantic-kernel#12268, Azure/azure-sdk-for-python#40759, chatboxai/chatbox#1745: the
    // model's name or Azure's unfilled "{modelName}"), and a version the resource does not serve (hotovo/aider-desk#460).
    for (const message of [
      "Model {modelName} is enabled only for api versions 2024-12-01-preview and later",
      "Model o1 is enabled only for api versions 2024-12-01-preview and later",
      "API version not supported",
    ]) {
      const verdict = classifyAzureError(400, new Headers(), JSON.stringify({ error: { code: "BadRequest", message } }));
      expect(verdict).toMatchObject(unavailable);
      expect(JSON.stringify(verdict).toLowerCase()).not.toContain("api version");
    }
    // Only at the start of Azure's message: a validation message may quote the caller's text.
    const quoted = JSON.stringify({ error: { code: "BadRequest", message: "Invalid value: 'API version not supported'" } });
    expect(classifyAzureError(400, new Headers(), quoted)).toMatchObject({ reason: "status_400", clientError: { kind: "vendor_rejected" } });
  });
});
