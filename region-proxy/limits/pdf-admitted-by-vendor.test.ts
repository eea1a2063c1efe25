/**
 * A PDF's pages are reserved as the deployment's vendor bills them (pdf-page-rule.ts): a request the
 * vendor bills within the key's TPM is admitted, one it bills past it is refused. The estimate once
 * counted every vendor's page as 3,000 tokens of text and a page image, and stopped at 100 pages: a
 * 20-page PDF to Gemini (~5,200 tokens billed) was refused for good under TPM 100,000, and a 300-page
 * PDF to a 1M-context Claude was reserved at a third of its cost.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { freePort } from "../../test/support/ports.ts";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import type { ChatRequest } from "../providers/types.ts";
import { createLimits, type RunningLimits } from "./create-limits.ts";
import { ORG, testKey, testSnapshot } from "./test-snapshot.ts";

let limits: RunningLimits;
beforeAll(async () => {
  // Nothing listens there: the replica enforces the whole limit on its own counters (share 1).
  limits = await createLimits({ region: "eu", redisUrl: `redis://127.0.0.1:${freePort()}`, replicaShare: 1, connectWaitMs: 50 });
});
afterAll(() => limits.close());

/** A PDF of `pages` plain page objects, as a file part's data URL. */
function pdfRequest(pages: number): ChatRequest {
  const objects = Array.from({ length: pages }, (_, i) => `${i + 3} 0 obj\n<< /Type /Page /Parent 2 0 R >>\nendobj\n`).join("");
  const data = Buffer.from(`%PDF-1.7\n${objects}%%EOF\n`, "latin1").toString("base64");
  const file = { type: "file" as const, file: { filename: "report.pdf", file_data: `data:application/pdf;base64,${data}` } };
  return { model: "chat", messages: [{ role: "user", content: [{ type: "text", text: "Summarise." }, file] }], stream: false, includeUsage: false, max_tokens: 1000, raw: {} };
}

const deployment = (provider: SnapshotDeployment["provider"], model: string): SnapshotDeployment => ({ id: `dep_${provider}`, provider, baseUrl: "http://127.0.0.1:1", model, region: "eu", credentialRef: "env:KEY" });

async function admitted(pages: number, to: SnapshotDeployment, tpm: number): Promise<boolean> {
  const key = testKey({ limits: { tpm } });
  const result = await limits.enforcer.admit({ snapshot: testSnapshot({ [ORG]: {} }), key, tenantId: key.tenantId, featureId: null, request: pdfRequest(pages), deployment: to, now: new Date("2026-11-25T12:00:00Z") });
  return result.ok;
}

test("a 20-page PDF to Gemini under TPM 100,000 is admitted (258 or 560 a page), as it is billed", async () => {
  expect(await admitted(20, deployment("gemini", "gemini-2.5-flash"), 100_000)).toBe(true);
  expect(await admitted(20, deployment("gemini", "gemini-3-pro-preview"), 100_000)).toBe(true);
  // Past the key's TPM by its pages: refused still.
  expect(await admitted(200, deployment("gemini", "gemini-3-pro-preview"), 100_000)).toBe(false);
});

test("a 300-page PDF to a 1M-context Claude is reserved for its 300 pages, not 100", async () => {
  // 300 x (3000 + 1600) = 1,380,000; 100 pages would be 460,000.
  expect(await admitted(300, deployment("anthropic", "claude-opus-4-6"), 1_000_000)).toBe(false);
  expect(await admitted(300, deployment("anthropic", "claude-opus-4-6"), 1_500_000)).toBe(true);
});
