/**
 * A request whose file part names a file_id is refused by the request parser (a 400 naming the part,
 * ../openai/vendor-file-references.ts via check-message.ts), before the limits step, so through the
 * route it never reaches them. The limits are asked directly here: the estimate counts a file_id as
 * nothing (an unreachable, harmless branch), so were it ever to reach them it would not be refused as
 * a permanent "too large" 429, as it was when the estimate counted it as 100 pages.
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

test("a file_id part under TPM 200,000 is admitted by the limits (the parser refuses it before them)", async () => {
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
