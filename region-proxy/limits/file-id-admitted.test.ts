/**
 * A request whose file part names a file_id is refused by every adapter before any call (a 400
 * naming the part, vendor-file-references.ts), after the limits step: the estimate must not make the
 * limits refuse it first, as a permanent "too large" 429 in place of the adapter's 400.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { renderError } from "../../shared/errors/openai-error.ts";
import { freePort } from "../../test/support/ports.ts";
import type { ChatRequest } from "../providers/types.ts";
import { createLimits, type RunningLimits } from "./create-limits.ts";
import { DEPLOYMENT, ORG, testKey, testSnapshot } from "./test-snapshot.ts";

let limits: RunningLimits;
beforeAll(async () => {
  // Nothing listens there: the replica enforces the whole limit on its own counters (share 1).
  limits = await createLimits({ region: "eu", redisUrl: `redis://127.0.0.1:${freePort()}`, replicaShare: 1, connectWaitMs: 50 });
});
afterAll(() => limits.close());

test("a file_id part under TPM 200,000 is admitted, so the adapter's 400 answers it", async () => {
  const request: ChatRequest = {
    model: "chat",
    messages: [{ role: "user", content: [{ type: "text", text: "Summarise." }, { type: "file", file: { file_id: "file-abc123" } }] }],
    stream: false,
    includeUsage: false,
    max_tokens: 1000,
    raw: {},
  };
  const key = testKey({ limits: { tpm: 200_000 } });
  const admitted = await limits.enforcer.admit({ snapshot: testSnapshot({ [ORG]: {} }), key, tenantId: key.tenantId, featureId: null, request, deployment: DEPLOYMENT, now: new Date("2026-11-25T12:00:00Z") });
  if (!admitted.ok) throw new Error(renderError(admitted.error).body.error.message);
  expect(admitted.ok).toBe(true);
});
