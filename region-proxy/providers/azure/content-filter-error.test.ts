/**
 * Through the proxy with the official SDK: a prompt Azure's content filter refuses (HTTP 400, or the
 * same error as an in-stream event) reaches the caller as a 400 content_filter without fallback, with
 * Azure's innererror (which categories were filtered), so an app can tell its user why.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { APIError } from "openai";
import { startFakeAzure } from "../../../test/fakes/azure.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { REGION } from "../../testing/proxy-fixture.ts";
import { useVendorProxy } from "../testing/use-vendor-proxy.ts";

let azure: FakeVendor;
beforeAll(async () => {
  azure = await startFakeAzure({ apiKey: "azure-fake-key" });
});
afterAll(async () => {
  await azure?.stop();
});
const dep = (id: string, model: string) => ({ id, provider: "azure" as const, baseUrl: azure.url, model, region: REGION, credentialRef: "env:AZURE_KEY" });
const t = useVendorProxy({
  proxy: { credentials: { AZURE_KEY: "azure-fake-key" } },
  configure(s) {
    s.deployments.dep_cf = dep("dep_cf", "content-filter");
    s.deployments.dep_cfs = dep("dep_cfs", "stream-error-content-filter");
    s.aliases.cf = { name: "cf", chain: ["dep_cf", "dep_echo1"] };
    s.aliases.cfs = { name: "cfs", chain: ["dep_cfs", "dep_echo1"] };
  },
});
const messages = [{ role: "user" as const, content: "something filtered" }];

async function caught(p: Promise<unknown>): Promise<APIError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(APIError);
    return e as APIError;
  }
  throw new Error("no error");
}

describe("a prompt Azure's content filter refuses", () => {
  for (const [alias, stream] of [["cf", false], ["cfs", true]] as const) {
    test(`${alias} (stream ${stream}): 400 content_filter, no fallback, with Azure's innererror kept`, async () => {
      const err = await caught(
        (async () => {
          const res: unknown = await t.fx.client(t.proxy).chat.completions.create({ model: alias, messages, stream } as never);
          if (stream) for await (const _ of res as AsyncIterable<unknown>) void _;
        })(),
      );
      expect(err.status).toBe(400);
      expect(err.code).toBe("content_filter");
      expect(err.headers?.get("x-gateway-attempts")).toBe("1");
      expect((err.error as { innererror?: unknown }).innererror).toEqual({
        code: "ResponsibleAIPolicyViolation",
        content_filter_result: { hate: { filtered: true, severity: "high" }, self_harm: { filtered: false, severity: "safe" }, sexual: { filtered: false, severity: "safe" }, violence: { filtered: false, severity: "safe" } },
      });
    });
  }
});
